"""Everything the assistant says to a patient, in Hong Kong Chinese and English.

Nothing here asks for an HKID, a card number or any other identity document: we never need them.
"""

TEXTS = {
    # --- small talk and menus ---------------------------------------------------------------
    "greeting": {
        "en": "Hello! This is {clinic}'s WhatsApp assistant. I can book, change or cancel an appointment, "
        "give you a walk-in queue number and answer questions about the clinic.",
        "zh-Hant-HK": "你好！呢度係{clinic}嘅WhatsApp助理。"
        "我可以幫你預約、改期或取消預約、攞籌，同埋解答診所資料嘅問題。",
    },
    "thanks": {
        "en": "You're welcome! Message us here any time.",
        "zh-Hant-HK": "唔使客氣！有需要隨時喺度留言俾我哋。",
    },
    "button_book": {"en": "Book", "zh-Hant-HK": "預約"},
    "button_queue": {"en": "Queue number", "zh-Hant-HK": "攞籌"},
    "button_info": {"en": "Clinic info", "zh-Hant-HK": "診所資料"},
    "button_staff": {"en": "Talk to staff", "zh-Hant-HK": "聯絡職員"},
    "button_yes": {"en": "Yes, confirm", "zh-Hant-HK": "確認"},
    "button_no": {"en": "No", "zh-Hant-HK": "唔使喇"},
    "button_doctors": {"en": "Doctors", "zh-Hant-HK": "醫生"},
    "button_days": {"en": "Days", "zh-Hant-HK": "日期"},
    "button_times": {"en": "Times", "zh-Hant-HK": "時間"},
    "button_appointments": {"en": "Appointments", "zh-Hant-HK": "預約"},
    "button_topics": {"en": "Topics", "zh-Hant-HK": "資料"},
    "section_doctors": {"en": "Our doctors", "zh-Hant-HK": "醫生"},
    "section_days": {"en": "Next free days", "zh-Hant-HK": "有位日子"},
    "section_times": {"en": "Free times", "zh-Hant-HK": "有位時間"},
    "section_appointments": {"en": "Your appointments", "zh-Hant-HK": "你嘅預約"},
    "section_topics": {"en": "About the clinic", "zh-Hant-HK": "診所資料"},
    "topic_hours": {"en": "Opening hours", "zh-Hant-HK": "應診時間"},
    "topic_address": {"en": "Address", "zh-Hant-HK": "地址"},
    "topic_fees": {"en": "Fees", "zh-Hant-HK": "收費"},
    "topic_vouchers": {"en": "Health care vouchers", "zh-Hant-HK": "長者醫療券"},
    "topic_insurance": {"en": "Insurance", "zh-Hant-HK": "保險"},
    "topic_other": {"en": "Other", "zh-Hant-HK": "其他"},
    # --- safety ------------------------------------------------------------------------------
    "emergency": {
        "en": "This may be an emergency. Call 999 now, or go to the Accident & Emergency (A&E) department of the "
        "nearest hospital. Please do not wait for a reply here. We have alerted the staff of {clinic}.",
        "zh-Hant-HK": "呢個情況可能好緊急。請即刻打999，或者去最近醫院嘅急症室。"
        "唔好等呢度回覆。我哋已經通知{clinic}嘅職員。",
    },
    "emergency_self_harm": {
        "en": "I'm sorry you are going through this. If you or someone with you is in immediate danger, call 999 now. "
        "You can talk to someone any time, day or night: The Samaritans Hong Kong 2896 0000 (multilingual) "
        "or Samaritan Befrienders Hong Kong 2389 2222 (Cantonese). We have told the staff of {clinic}.",
        "zh-Hant-HK": "聽到你咁辛苦，我哋好關心你。如果你或者身邊嘅人有即時危險，請即刻打999。"
        "你亦可以隨時搵人傾，以下熱線24小時都有人接聽：撒瑪利亞會 2896 0000（多種語言）、"
        "香港撒瑪利亞防止自殺會 2389 2222（廣東話）。我哋已經通知{clinic}嘅職員。",
    },
    "waiting_for_staff": {
        "en": "Our staff have been told and will reply here as soon as they can. If it is an emergency, call 999.",
        "zh-Hant-HK": "我哋已經通知職員，佢哋會盡快喺度回覆你。如果情況緊急，請打999。",
    },
    "opted_out": {
        "en": "Done: {clinic} will not send you reminders any more. Send START to turn them back on.",
        "zh-Hant-HK": "已經幫你停止接收{clinic}嘅提醒。如果想再收，請回覆「開始」或 START。",
    },
    "opted_in": {
        "en": "Reminders from {clinic} are on again. Send STOP to turn them off.",
        "zh-Hant-HK": "已經恢復接收{clinic}嘅提醒。如果想停止，請回覆「停止」或 STOP。",
    },
    "staff_open": {
        "en": "I have asked the staff of {clinic} to reply to you here. They will be with you shortly.",
        "zh-Hant-HK": "已經通知{clinic}嘅職員，佢哋會盡快喺度回覆你。",
    },
    "staff_closed": {
        "en": "I have asked the staff of {clinic} to reply to you here. The clinic is closed now; "
        "they will reply after it opens on {when}.",
        "zh-Hant-HK": "已經通知{clinic}嘅職員。診所而家休息緊，職員會喺{when}開門後喺度回覆你。",
    },
    "staff_later": {
        "en": "I have asked the staff of {clinic} to reply to you here. The clinic is closed now; "
        "they will reply as soon as it reopens.",
        "zh-Hant-HK": "已經通知{clinic}嘅職員。診所而家休息緊，職員會喺重新開門後盡快喺度回覆你。",
    },
    "medical": {
        "en": "Sorry, I can't answer medical questions (diagnoses, medicines, doses or test results): "
        "a doctor should. Would you like to book an appointment or talk to our staff? If it is urgent, call 999.",
        "zh-Hant-HK": "唔好意思，我唔可以解答醫療問題（例如診斷、藥物、劑量或者報告結果），呢啲要由醫生答你。"
        "想預約定係同職員傾？如果情況緊急，請打999。",
    },
    "flood": {
        "en": "You have sent a lot of messages in a short time, so I will pause for a while. "
        "The staff of {clinic} have been told and will reply here.",
        "zh-Hant-HK": "你喺短時間內傳咗好多訊息，我會暫停回覆一陣。已經通知{clinic}嘅職員，佢哋會喺度回覆你。",
    },
    # --- photos, documents, voice messages and orders ----------------------------------------
    "attachment_received": {
        "en": "Thank you, we have received it. The staff of {clinic} will look at it (for example an insurance card "
        "or a referral letter) and reply here. You can also type a question here at any time.",
        "zh-Hant-HK": "多謝，我哋收到咗。{clinic}嘅職員會睇吓（例如保險卡或者轉介信），再喺度回覆你。"
        "你亦可以隨時喺度打字問問題。",
    },
    "voice_received": {
        "en": "Sorry, I can't listen to voice messages. Please type your question here, "
        "or our staff will listen to it and reply.",
        "zh-Hant-HK": "唔好意思，我聽唔到語音訊息。請直接喺度打字問，或者等我哋職員聽完再回覆你。",
    },
    "order_received": {
        "en": "Thank you for your order. The staff of {clinic} will follow up with you here.",
        "zh-Hant-HK": "多謝你嘅訂單，{clinic}嘅職員會喺度同你跟進。",
    },
    # --- booking -----------------------------------------------------------------------------
    "choose_doctor": {"en": "Which doctor would you like to see?", "zh-Hant-HK": "你想睇邊位醫生？"},
    "choose_doctor_when": {
        "en": "Which doctor would you like to see {when}? Or choose 'Any doctor' for whoever is free first.",
        "zh-Hant-HK": "你想{when}睇邊位醫生？或者揀「任何醫生」，我幫你搵最早有空嗰位。",
    },
    "any_doctor": {"en": "Any doctor", "zh-Hant-HK": "任何醫生"},
    "any_doctor_free": {"en": "Whoever is free first {when}", "zh-Hant-HK": "{when}最早有空嘅醫生"},
    "when_morning": {"en": "in the morning", "zh-Hant-HK": "上午"},
    "when_afternoon": {"en": "in the afternoon", "zh-Hant-HK": "下午"},
    "when_evening": {"en": "in the evening", "zh-Hant-HK": "晚上"},
    "no_doctor_free": {
        "en": "Sorry, none of our doctors has a free appointment in the next two weeks. "
        "Would you like to talk to our staff?",
        "zh-Hant-HK": "唔好意思，未來兩個星期所有醫生都冇位。想唔想同職員傾？",
    },
    "choose_day": {"en": "Which day suits you to see {doctor}?", "zh-Hant-HK": "你想約{doctor}邊一日？"},
    "choose_time": {
        "en": "Free times with {doctor} on {day} (or type the time you want):",
        "zh-Hant-HK": "{doctor}喺{day}有以下時間（想要其他時間可以直接打）：",
    },
    "time_not_free": {
        "en": "{time} on {day} is not free with {doctor}. These are the nearest free times:",
        "zh-Hant-HK": "{doctor}喺{day} {time}已經冇位，以下係最接近嘅時間：",
    },
    "day_not_free": {
        "en": "Sorry, {doctor} has no free time on {day}. Please pick another day:",
        "zh-Hant-HK": "唔好意思，{doctor}喺{day}冇位，請揀過另一日：",
    },
    "no_days": {
        "en": "Sorry, {doctor} has no free appointments in the next two weeks. Would you like to talk to our staff?",
        "zh-Hant-HK": "唔好意思，{doctor}未來兩個星期都冇位。想唔想同職員傾？",
    },
    "no_doctors": {
        "en": "Sorry, appointments can't be booked here right now. Would you like to talk to our staff?",
        "zh-Hant-HK": "唔好意思，暫時未能喺度預約。想唔想同職員傾？",
    },
    "confirm_book": {
        "en": "Book {doctor} on {day} at {time} at {clinic}?",
        "zh-Hant-HK": "幫你預約{clinic}{doctor}，{day} {time}，確認嗎？",
    },
    "booked": {
        "en": "Booked: {doctor}, {day} at {time}. See you at {clinic}! To change it, just message us here.",
        "zh-Hant-HK": "預約成功：{doctor}，{day} {time}。{clinic}見！如需改期或取消，隨時喺度留言。",
    },
    "slot_taken": {
        "en": "Sorry, that time has just been taken. Please pick another:",
        "zh-Hant-HK": "唔好意思，呢個時間啱啱俾人約咗，請揀過另一個：",
    },
    "anything_else": {
        "en": "OK. If you need anything else, just message us here.",
        "zh-Hant-HK": "好的。有其他需要隨時喺度留言俾我哋。",
    },
    "not_done": {"en": "OK, nothing has been changed.", "zh-Hant-HK": "好的，冇任何更改。"},
    # --- changing an appointment -------------------------------------------------------------
    "no_appointments": {
        "en": "You have no upcoming appointments at {clinic}. Would you like to book one?",
        "zh-Hant-HK": "你喺{clinic}暫時冇預約。想唔想預約？",
    },
    "choose_appointment": {"en": "Which appointment?", "zh-Hant-HK": "係邊一個預約？"},
    "choose_new_day": {
        "en": "Your appointment: {doctor}, {old}. Which day would you like to move it to?",
        "zh-Hant-HK": "你而家嘅預約：{doctor}，{old}。想改到邊一日？",
    },
    "confirm_reschedule": {
        "en": "Move your appointment with {doctor} from {old} to {day} at {time}?",
        "zh-Hant-HK": "將你同{doctor}嘅預約由{old}改到{day} {time}？",
    },
    "rescheduled": {
        "en": "Done: your appointment with {doctor} is now on {day} at {time}.",
        "zh-Hant-HK": "改期成功：你同{doctor}嘅預約改咗做{day} {time}。",
    },
    "confirm_cancel": {
        "en": "Cancel your appointment with {doctor} on {day} at {time}?",
        "zh-Hant-HK": "取消你{day} {time}同{doctor}嘅預約？",
    },
    "cancelled": {
        "en": "Your appointment with {doctor} on {day} at {time} is cancelled.",
        "zh-Hant-HK": "已經取消你{day} {time}同{doctor}嘅預約。",
    },
    # --- queue -------------------------------------------------------------------------------
    "queue_joined": {
        "en": "Your queue number is {number}. {ahead} ahead of you, about {minutes} minutes. "
        "We will message you when your turn is near.",
        "zh-Hant-HK": "你嘅籌號係{number}號。前面仲有{ahead}位，大約等{minutes}分鐘。就快到你嘅時候我哋會通知你。",
    },
    "queue_status": {
        "en": "Your number is {number}: {ahead} ahead of you, about {minutes} minutes.",
        "zh-Hant-HK": "你嘅籌號係{number}號：前面仲有{ahead}位，大約等{minutes}分鐘。",
    },
    "queue_joined_next": {
        "en": "Your queue number is {number}. You are next! Please come to the clinic now.",
        "zh-Hant-HK": "你嘅籌號係{number}號。下一位就到你，請盡快返到診所。",
    },
    "queue_status_next": {
        "en": "Your number is {number}: you are next!",
        "zh-Hant-HK": "你嘅籌號係{number}號：下一位就到你！",
    },
    "queue_none": {
        "en": "You don't have a queue number today. Would you like one?",
        "zh-Hant-HK": "你今日未有籌號。想唔想攞籌？",
    },
    # --- clinic information ----------------------------------------------------------------
    "faq_topics": {
        "en": "What would you like to know about {clinic}?",
        "zh-Hant-HK": "想知{clinic}邊方面嘅資料？",
    },
    "faq_missing": {
        "en": "Sorry, I don't have that information. Would you like to talk to our staff?",
        "zh-Hant-HK": "唔好意思，我暫時冇呢方面嘅資料。想唔想同職員傾？",
    },
    # --- when I do not understand -------------------------------------------------------------
    "unknown": {
        "en": "Sorry, I didn't understand that. I can book, change or cancel an appointment, give you a queue "
        "number or answer questions about {clinic}. You can also ask for our staff.",
        "zh-Hant-HK": "唔好意思，我唔太明白。我可以幫你預約、改期或取消預約、攞籌，"
        "或者解答{clinic}嘅資料問題。你亦可以要求同職員傾。",
    },
    "unknown_again": {
        "en": "Sorry, I still didn't understand. Please choose one:",
        "zh-Hant-HK": "唔好意思，我仍然唔明白。請揀一項：",
    },
    "stale_button": {
        "en": "Sorry, that button is from an earlier message and no longer applies. What would you like to do?",
        "zh-Hant-HK": "唔好意思，呢個掣屬於之前嘅訊息，已經用唔到。你想做咩？",
    },
    "pick_doctor": {
        "en": "Please choose a doctor from the list above, or type the doctor's name.",
        "zh-Hant-HK": "請喺上面揀一位醫生，或者直接打醫生嘅名。",
    },
    "pick_day": {
        "en": 'Please choose a day from the list above, or type a date, e.g. "tomorrow" or "3/12".',
        "zh-Hant-HK": "請喺上面揀一日，或者直接打日子，例如「聽日」或者「12月3號」。",
    },
    "pick_time": {
        "en": 'Please choose a time from the list above, or type one, e.g. "3:30pm".',
        "zh-Hant-HK": "請喺上面揀一個時間，或者直接打時間，例如「下晝三點半」。",
    },
    "pick_appointment": {
        "en": "Please choose the appointment from the list above.",
        "zh-Hant-HK": "請喺上面揀返個預約。",
    },
    "pick_confirm": {
        "en": 'Please press "Yes, confirm" or "No" above.',
        "zh-Hant-HK": "請按上面「確認」或者「唔使喇」。",
    },
    "today": {"en": "Today", "zh-Hant-HK": "今日"},
    "tomorrow": {"en": "Tomorrow", "zh-Hant-HK": "聽日"},
    "day_after": {"en": "Day after tomorrow", "zh-Hant-HK": "後日"},
    # Sent when anything goes wrong on our side, before we know the patient's language.
    "error": {
        "en": "Sorry, something went wrong on our side. Please try again, or ask for our staff. / "
        "唔好意思，系統出咗問題。請再試一次，或者要求同職員傾。",
        "zh-Hant-HK": "唔好意思，系統出咗問題。請再試一次，或者要求同職員傾。 / "
        "Sorry, something went wrong on our side. Please try again, or ask for our staff.",
    },
}

WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh-Hant-HK": ("一", "二", "三", "四", "五", "六", "日"),
}


def say(key: str, language: str, **params) -> str:
    """The text `key` in the patient's language (zh-Hant-HK unless English)."""
    from messaging.texts import render

    return render(TEXTS, key, language, **params)


# How a wanted day and time are put into a sentence ("on Fri 27 Nov at 10:00" / "11月27日（五）10:00").
WHEN = {
    "en": {"day": "on {day}", "from": "from {day}", "time": "at {time}", "join": " "},
    "zh-Hant-HK": {"day": "{day}", "from": "{day}起", "time": "{time}", "join": ""},
}


def when_label(language: str, *, day=None, since=None, time: str | None = None, part: str | None = None) -> str:
    """When the patient asked to come, in words; "" when they said nothing about it."""
    words = WHEN["en" if language == "en" else "zh-Hant-HK"]
    said = []
    if day is not None:
        said.append(words["day"].format(day=day_label(day, language)))
    elif since is not None:
        said.append(words["from"].format(day=day_label(since, language)))
    if time:
        said.append(words["time"].format(time=time))
    elif part:
        said.append(say(f"when_{part}", language))
    return words["join"].join(said)


def day_label(day, language: str) -> str:
    """Fri 27 Nov / 11月27日（五）"""
    if language == "en":
        return f"{WEEKDAYS['en'][day.weekday()]} {day.day} {day:%b}"
    return f"{day.month}月{day.day}日（{WEEKDAYS['zh-Hant-HK'][day.weekday()]}）"
