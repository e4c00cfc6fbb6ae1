"""What the front desk tells patients, in both languages, and the WhatsApp templates it uses.

Each notice has free-form text (inside the 24-hour window) and an approved template with
the same parameters (outside it); see messaging.services.notify_patient.
"""

TEXTS = {
    # opening hours
    "weekday_0": {"en": "Monday", "zh-Hant-HK": "星期一"},
    "weekday_1": {"en": "Tuesday", "zh-Hant-HK": "星期二"},
    "weekday_2": {"en": "Wednesday", "zh-Hant-HK": "星期三"},
    "weekday_3": {"en": "Thursday", "zh-Hant-HK": "星期四"},
    "weekday_4": {"en": "Friday", "zh-Hant-HK": "星期五"},
    "weekday_5": {"en": "Saturday", "zh-Hant-HK": "星期六"},
    "weekday_6": {"en": "Sunday", "zh-Hant-HK": "星期日"},
    "hours_line": {"en": "{day}: {hours}", "zh-Hant-HK": "{day}：{hours}"},
    "hours_separator": {"en": ", ", "zh-Hant-HK": "、"},
    "closed": {"en": "closed", "zh-Hant-HK": "休息"},
    "closed_on_holidays": {"en": "Closed on public holidays.", "zh-Hant-HK": "公眾假期休息。"},
    # appointments (parameters: doctor, date, time)
    "appointment_booked": {
        "en": "Your appointment with {doctor} is booked for {date} at {time}.",
        "zh-Hant-HK": "已為你預約{doctor}，時間：{date} {time}。",
    },
    "appointment_moved": {
        "en": "Your appointment with {doctor} has been moved to {date} at {time}.",
        "zh-Hant-HK": "你與{doctor}的預約已改為 {date} {time}。",
    },
    "appointment_cancelled": {
        "en": "Your appointment with {doctor} on {date} at {time} has been cancelled.",
        "zh-Hant-HK": "你於 {date} {time} 與{doctor}的預約已取消。",
    },
    # reminders
    "appointment_reminder": {
        "en": "Reminder: you have an appointment with {doctor} on {date} at {time}.",
        "zh-Hant-HK": "提提你：你於 {date} {time} 預約了{doctor}。",
    },
    "follow_up_reminder": {
        "en": "Reminder: your follow-up visit is due on {date}. Reply to book a time.",
        "zh-Hant-HK": "提提你：你的覆診日期是 {date}，回覆此訊息即可預約時間。",
    },
    "vaccination_reminder": {
        "en": "Reminder: your vaccination {note} is due on {date}. Reply to book a time.",
        "zh-Hant-HK": "提提你：你的疫苗接種 {note} 日期是 {date}，回覆此訊息即可預約時間。",
    },
    # the walk-in queue
    "queue_near": {
        "en": "Your number {number} is coming up: {ahead} before you. Please come back to the clinic.",
        "zh-Hant-HK": "你的籌號 {number} 就快到：前面尚有 {ahead} 位，請返回診所等候。",
    },
    "queue_called": {
        "en": "Number {number}, it is your turn. Please come to the counter.",
        "zh-Hant-HK": "{number} 號，到你喇，請到登記處。",
    },
}

# Approved WhatsApp template for each notice; parameters in the order given.
TEMPLATES = {
    "appointment_booked": ("appointment_booked", ("doctor", "date", "time")),
    "appointment_moved": ("appointment_moved", ("doctor", "date", "time")),
    "appointment_cancelled": ("appointment_cancelled", ("doctor", "date", "time")),
    "appointment_reminder": ("appointment_reminder", ("doctor", "date", "time")),
    "follow_up_reminder": ("follow_up_reminder", ("date",)),
    "vaccination_reminder": ("vaccination_reminder", ("note", "date")),
    "queue_near": ("queue_near", ("number", "ahead")),
    "queue_called": ("queue_called", ("number",)),
}


def language_key(language: str | None) -> str:
    return "en" if (language or "").lower().startswith("en") else "zh-Hant-HK"


def text(key: str, language: str | None, **params) -> str:
    from messaging.texts import render  # the team's one renderer; imported late as messaging imports frontdesk

    return render(TEXTS, key, language_key(language), **params)


def template_for(key: str, **params) -> tuple[str, list[str]]:
    name, order = TEMPLATES[key]
    return name, [str(params[field]) for field in order]
