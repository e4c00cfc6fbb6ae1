"""Patient-facing privacy texts, English and Traditional Chinese side by side (CONTRACT.md "Texts")."""

TEXTS = {
    "request_received.access": {
        "en": (
            "We have received your request for a copy of your personal data. Reference: {reference}.\n"
            "Our team will confirm it is you (this WhatsApp number) and reply by {due_on}, "
            "within the 40 days the law allows. You do not need to do anything else now."
        ),
        "zh-Hant-HK": (
            "我們已收到你索取個人資料副本的要求，編號：{reference}。\n"
            "我們會核實你的身分（即這個 WhatsApp 號碼），並於 {due_on} 或之前（法例規定的 40 日內）回覆你。"
            "你現在毋須再做任何事。"
        ),
    },
    "request_received.correction": {
        "en": (
            "We have received your request to correct your personal data. Reference: {reference}.\n"
            "Please tell us what should be changed if you have not already. We will reply by {due_on}. "
            "There is no charge for a correction."
        ),
        "zh-Hant-HK": (
            "我們已收到你更正個人資料的要求，編號：{reference}。\n"
            "如尚未說明，請告訴我們需要更正的內容。我們會於 {due_on} 或之前回覆。更正資料不收取任何費用。"
        ),
    },
    "request_received.erasure": {
        "en": (
            "We have received your request to delete your data. Reference: {reference}.\n"
            "After confirming it is you, we will delete your messages, photos and bookings, except records "
            "the clinic must keep by law, which we will list for you. We will reply by {due_on}."
        ),
        "zh-Hant-HK": (
            "我們已收到你刪除資料的要求，編號：{reference}。\n"
            "核實身分後，我們會刪除你的訊息、相片及預約紀錄；診所依法必須保留的紀錄除外，我們會列明給你。"
            "我們會於 {due_on} 或之前回覆。"
        ),
    },
    "request_received.opt_out": {
        "en": (
            "You will no longer receive reminders from us. Reference: {reference}. "
            "You can still write to us at any time; send START to receive reminders again."
        ),
        "zh-Hant-HK": (
            "你將不會再收到我們的提示訊息。編號：{reference}。你仍可隨時發訊息給我們；如想再收到提示，請回覆 START。"
        ),
    },
    "collection_notice": {
        "en": (
            "Privacy: {clinic} uses this chat to handle your bookings, queue and questions. We keep your "
            "WhatsApp number, name and messages; SmartClinic runs the service for the clinic, and Meta "
            "(WhatsApp) and Google (language processing) process data for it. You may ask for a copy or "
            "a correction of your data at any time. Reply STOP to stop reminders. Details: {link}"
        ),
        "zh-Hant-HK": (
            "私隱通知：{clinic}透過此對話處理你的預約、排隊及查詢。我們會保存你的 WhatsApp 號碼、名稱及訊息；"
            "SmartClinic 代診所提供此服務，Meta（WhatsApp）及 Google（語言處理）代為處理資料。"
            "你可隨時要求查閱或更正你的資料。回覆「停止」可停止提示訊息。詳情：{link}"
        ),
    },
    "refusal_notice": {
        "en": (
            "About your request {reference} to {clinic} (received {received_on}): we are unable to comply with it.\n"
            "Reason: {reason}\n{particulars}\n"
            "If you disagree, you may complain to the Privacy Commissioner for Personal Data (www.pcpd.org.hk)."
        ),
        "zh-Hant-HK": (
            "關於你於 {received_on} 向{clinic}提出的要求（編號 {reference}）：我們未能依從。\n"
            "原因：{reason}\n{particulars}\n"
            "如你不同意，可向個人資料私隱專員公署投訴（www.pcpd.org.hk）。"
        ),
    },
    "extension_notice": {
        "en": (
            "About your request {reference}: we cannot complete it within 40 days because {reason}. "
            "We will complete it as soon as practicable and no later than {extended_due_on}."
        ),
        "zh-Hant-HK": (
            "關於你的要求（編號 {reference}）：由於{reason}，我們未能在 40 日內完成。"
            "我們會在切實可行範圍內盡快完成，並不遲於 {extended_due_on}。"
        ),
    },
}

# Outside WhatsApp's 24-hour window a notice can only go as an approved template (name, parameter order);
# these two must be approved in the clinic's WhatsApp Business Manager in English and Chinese (zh_HK),
# with the wording of the notices above.
TEMPLATES = {
    "refusal_notice": ("privacy_request_refused", ("reference", "clinic", "received_on", "reason", "particulars")),
    "extension_notice": ("privacy_request_extended", ("reference", "reason", "extended_due_on")),
}

REFUSAL_REASONS = {
    "identity": {
        "en": "we could not confirm your identity (s.20(1)(a) of the Personal Data (Privacy) Ordinance).",
        "zh-Hant-HK": "我們未能核實你的身分（《個人資料（私隱）條例》第20(1)(a)條）。",
    },
    "third_party": {
        "en": "the data cannot be given without disclosing another person's personal data (s.20(1)(b)).",
        "zh-Hant-HK": "提供有關資料會披露另一人的個人資料，而該等資料無法刪去（第20(1)(b)條）。",
    },
    "prohibited": {
        "en": "complying is prohibited under the Ordinance (s.20(1)(c)).",
        "zh-Hant-HK": "依從要求為條例所禁止（第20(1)(c)條）。",
    },
    "cannot_locate": {
        "en": "we were not given enough information to locate the data (s.20(3)(b)).",
        "zh-Hant-HK": "我們未獲提供足夠資料以找出有關資料（第20(3)(b)條）。",
    },
    "repeated": {
        "en": "the request follows two or more similar requests and it is unreasonable to comply again (s.20(3)(c)).",
        "zh-Hant-HK": "此要求是在兩次或以上相類要求之後提出，再次依從並不合理（第20(3)(c)條）。",
    },
    "health": {
        "en": "giving the data would be likely to cause serious harm to physical or mental health "
        "(exemption under s.59, s.20(3)(f)).",
        "zh-Hant-HK": "提供有關資料相當可能對身體或精神健康造成嚴重損害（第59條豁免，第20(3)(f)條）。",
    },
    "not_inaccurate": {
        "en": "we are not satisfied that the data are inaccurate (s.24(3)(c)).",
        "zh-Hant-HK": "我們不信納有關資料不準確（第24(3)(c)條）。",
    },
}


def text_language(language: str) -> str:
    return "zh-Hant-HK" if (language or "").lower().startswith("zh") else "en"


def render(table: dict, key: str, language: str, **params) -> str:
    from messaging.texts import render as render_text  # the team's one renderer

    return render_text(table, key, text_language(language), **params)
