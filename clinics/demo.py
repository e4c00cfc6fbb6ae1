"""The two demo clinics `make run` starts with: doctors, hours, FAQs and accounts."""

import datetime as dt
import os

from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from clinics.frontdesk.models import FAQ, Doctor, WorkingHours
from clinics.models import Clinic
from clinics.services import clinic_domain, create_clinic
from smartclinic.otp import DEMO_TOTP_KEY, enrol

# Local demo only (seed_demo refuses to run in production); override with DEMO_PASSWORD.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "smartclinic-demo")
OPERATOR_USERNAME = "operator"

CLINICS = [
    {
        "slug": "alpha",
        "name_en": "Alpha Family Clinic",
        "name_zh": "阿爾法家庭診所",
        "phone_number_id": "106540352242922",
        "display_phone": "+852 3001 2345",
        "address_en": "Room 1203, 12/F, 68 Nathan Road, Tsim Sha Tsui, Kowloon",
        "address_zh": "九龍尖沙咀彌敦道68號12樓1203室",
        "doctors": [("Dr Chan Tai Man", "陳大文醫生"), ("Dr Wong Siu Ling", "黃小玲醫生")],
    },
    {
        "slug": "beta",
        "name_en": "Beta Medical Centre",
        "name_zh": "貝塔醫務中心",
        "phone_number_id": "106540352242923",
        "display_phone": "+852 3001 6789",
        "address_en": "Shop 5, G/F, 23 Percival Street, Causeway Bay, Hong Kong",
        "address_zh": "香港銅鑼灣波斯富街23號地下5號舖",
        "doctors": [("Dr Lee Ka Yan", "李家欣醫生")],
    },
]


def _faqs(spec: dict) -> list[FAQ]:
    return [
        FAQ(
            topic=FAQ.Topic.HOURS,
            question_en="What are your opening hours?",
            question_zh="診所幾點開門？",
            answer_en="Mon-Fri 9:00-13:00 and 14:30-19:00, Sat 9:00-13:00. Closed on Sundays and public holidays.",
            answer_zh="星期一至五 9:00-13:00 及 14:30-19:00，星期六 9:00-13:00。星期日及公眾假期休息。",
        ),
        FAQ(
            topic=FAQ.Topic.ADDRESS,
            question_en="Where is the clinic?",
            question_zh="診所喺邊度？",
            answer_en=spec["address_en"],
            answer_zh=spec["address_zh"],
        ),
        FAQ(
            topic=FAQ.Topic.FEES,
            question_en="How much is a consultation?",
            question_zh="睇醫生幾錢？",
            answer_en="General consultation HK$350 including 3 days of basic medicine.",
            answer_zh="普通科診金 HK$350，包三日基本藥物。",
        ),
        FAQ(
            topic=FAQ.Topic.VOUCHERS,
            question_en="Do you accept Elderly Health Care Vouchers?",
            question_zh="收唔收長者醫療券？",
            answer_en="Yes, we accept Elderly Health Care Vouchers. Please bring your HKID card to the clinic.",
            answer_zh="接受長者醫療券，請到診所時帶同身份證。",
        ),
        FAQ(
            topic=FAQ.Topic.INSURANCE,
            question_en="Can I use my medical insurance?",
            question_zh="可唔可以用醫療保險？",
            answer_en=(
                "We accept most company medical cards (e.g. Bupa, AXA, Cigna). Please show your card at the counter."
            ),
            answer_zh="我哋接受大部分公司醫療卡（例如 Bupa、AXA、Cigna），請喺登記處出示醫療卡。",
        ),
    ]


def _seed_clinic(spec: dict, stdout) -> None:
    manager_email = f"manager@{clinic_domain(spec['slug'])}"
    clinic = Clinic.objects.filter(slug=spec["slug"]).first()
    if clinic is None:
        new = create_clinic(
            slug=spec["slug"],
            name_en=spec["name_en"],
            name_zh=spec["name_zh"],
            phone_number_id=spec["phone_number_id"],
            display_phone=spec["display_phone"],
            manager_email=manager_email,
            manager_password=DEMO_PASSWORD,
        )
        clinic = new.clinic
        stdout.write(f"Created demo clinic {clinic.slug}")
    with tenant_context(clinic):
        if not Doctor.objects.exists():
            for name_en, name_zh in spec["doctors"]:
                doctor = Doctor.objects.create(name_en=name_en, name_zh=name_zh, slot_minutes=15)
                for weekday in range(5):
                    WorkingHours.objects.create(
                        doctor=doctor, weekday=weekday, starts_at=dt.time(9), ends_at=dt.time(13)
                    )
                    WorkingHours.objects.create(
                        doctor=doctor, weekday=weekday, starts_at=dt.time(14, 30), ends_at=dt.time(19)
                    )
                WorkingHours.objects.create(doctor=doctor, weekday=5, starts_at=dt.time(9), ends_at=dt.time(13))
        if not FAQ.objects.exists():
            FAQ.objects.bulk_create(_faqs(spec))


def seed_demo(stdout) -> None:
    for spec in CLINICS:
        _seed_clinic(spec, stdout)
    User = get_user_model()
    if not User.objects.filter(username=OPERATOR_USERNAME).exists():
        operator = User.objects.create_superuser(OPERATOR_USERNAME, "operator@smartclinic.invalid", DEMO_PASSWORD)
        enrol(user=operator, key=DEMO_TOTP_KEY)  # the operator admin needs an authenticator code
