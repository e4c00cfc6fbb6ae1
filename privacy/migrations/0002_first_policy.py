"""The first privacy policy, so /privacy answers from day one (later versions are added by our staff)."""

import datetime

from django.db import migrations

BODY_EN = """Who we are
Each clinic that uses SmartClinic is the data user of its patients' personal data. SmartClinic runs the WhatsApp assistant and the clinic's booking tools on the clinic's behalf and processes personal data only on the clinic's instructions (as its data processor).

What we collect
- Your WhatsApp number and WhatsApp profile name, and the name and preferred language you give us.
- The messages, photos and files you send to the clinic on WhatsApp, and the clinic's replies.
- Your appointments (doctor, date, time, changes and cancellations), walk-in queue numbers, and the reminders we send you.
We do not ask for your HKID number on WhatsApp. Please do not send it or other identity documents.

Why we collect it
To book, change and cancel appointments, give you a queue number and tell you when your turn is near, answer your questions about the clinic, send the reminders you agreed to, and let clinic staff reply to you. We do not use your data for direct marketing and do not sell it.

Who receives it
- The clinic and its staff.
- SmartClinic, which runs the service for the clinic.
- Sub-processors that carry out parts of the service: Meta Platforms (WhatsApp Business Platform) delivers the messages; Google (Vertex AI, and Google Sheets where the clinic uses it) helps understand messages and keeps the clinic's appointment list. Their servers may be outside Hong Kong.
We do not give your data to anyone else unless the law requires it.

How long we keep it
Messages, photos and queue records are kept while you are a patient of the clinic and deleted when no longer needed. Appointment records are kept for as long as the clinic must keep them for its medical and legal records. If the clinic stops using SmartClinic, its data is returned to the clinic and deleted from SmartClinic 90 days later, unless the law requires it to be kept longer.

Your rights
You may ask for a copy of your personal data (section 18 of the Personal Data (Privacy) Ordinance) and ask for it to be corrected (section 22). Write to the clinic on WhatsApp, for example "I want a copy of my data" or "delete my data", and you will receive a reference number. We reply within 40 days. There is no charge for a correction.

Stopping reminders
Reply STOP (or 停止) at any time and we will stop sending you reminders. Reply START to receive them again. You can still write to the clinic.

Contact
Write to the clinic on WhatsApp, or email SmartClinic's privacy team at privacy@smartclinic.hk. You may also contact the Office of the Privacy Commissioner for Personal Data (www.pcpd.org.hk)."""

BODY_ZH = """我們是誰
使用 SmartClinic 的每間診所是其病人個人資料的資料使用者。SmartClinic 代診所營運 WhatsApp 助理及預約工具，只按診所的指示處理個人資料（作為其資料處理者）。

我們收集甚麼資料
- 你的 WhatsApp 號碼及 WhatsApp 名稱，以及你提供的姓名和慣用語言。
- 你經 WhatsApp 向診所發出的訊息、相片及檔案，以及診所的回覆。
- 你的預約（醫生、日期、時間、更改及取消）、即日排隊籌號，以及我們發給你的提示訊息。
我們不會在 WhatsApp 上索取你的身份證號碼，請勿發送身份證號碼或其他身份證明文件。

收集目的
為你預約、更改及取消應診，派發排隊籌號並在快到你時通知你，回答你對診所的查詢，發送你同意接收的提示，以及讓診所職員回覆你。我們不會將你的資料用於直接促銷，亦不會出售你的資料。

誰會接收你的資料
- 診所及其職員。
- 代診所營運此服務的 SmartClinic。
- 負責部分服務的次承辦處理者：Meta Platforms（WhatsApp Business Platform）傳送訊息；Google（Vertex AI，及診所如有使用的 Google Sheets）協助理解訊息及保存診所的預約表。其伺服器可能位於香港以外。
除法律規定外，我們不會將你的資料交予任何其他人。

保存期限
訊息、相片及排隊紀錄在你仍是診所病人期間保存，不再需要時刪除。預約紀錄按診所的醫療及法律紀錄要求保存。如診所停止使用 SmartClinic，其資料會交還診所，並於 90 日後從 SmartClinic 刪除，除非法律規定須保存更久。

你的權利
你可要求索取你的個人資料副本（《個人資料（私隱）條例》第18條）及要求更正（第22條）。請在 WhatsApp 上告訴診所，例如「我想攞返我啲資料」或「刪除我的資料」，你會收到一個編號。我們會在 40 日內回覆。更正資料不收取費用。

停止提示訊息
隨時回覆「停止」（或 STOP），我們便不會再發提示給你。回覆 START 可重新接收。你仍可隨時發訊息給診所。

聯絡我們
在 WhatsApp 上聯絡診所，或電郵 SmartClinic 私隱團隊：privacy@smartclinic.hk。你亦可聯絡個人資料私隱專員公署（www.pcpd.org.hk）。"""


def seed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        version="1.0",
        defaults={"effective_on": datetime.date(2026, 1, 1), "body_en": BODY_EN, "body_zh": BODY_ZH},
    )


def unseed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("privacy", "PolicyVersion").objects.filter(version="1.0").delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
