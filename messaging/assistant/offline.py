"""The offline rules engine: a Reading from a patient's message with no model and no network.

Used when Vertex AI is not configured or is down, so it must give the same structure as the
Gemini engine and must never raise. Patterns are families per intent (Cantonese, written
Chinese, English, common typos) with weights; the screen runs first so emergencies and
opt-outs have one source of truth.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from . import classifier
from .reading import Reading
from .screen import ascii_regex, normalise, screen_normalised

ENGINE = "offline"

# Ties go to the earlier intent: changing an appointment beats making one, asking about the
# queue beats joining it, a practical request beats a loose health question (the screen has
# already taken the clear ones), and anything specific beats small talk.
_PRIORITY = (
    "privacy_request",
    "reschedule_appointment",
    "cancel_appointment",
    "queue_status",
    "join_queue",
    "talk_to_staff",
    "book_appointment",
    "clinic_info",
    "medical_question",
    "thanks",
    "greeting",
)

# Words that put a message about health: symptoms, conditions, medicines. Not 病假紙/病歷/睇症,
# which are paperwork and booking, nor 流感針, which is a service.
_HEALTH = (
    r"(?:痛|咳|發燒|發熱|燒到|肚瀉|肚痾|屙|嘔|頭暈|暈|痕|出疹|疹|敏感|過敏|鼻塞|鼻水|喉嚨|發炎|感冒|流感(?!針|疫苗)|"
    r"新冠|痘|瘡|膿|疣|癬|痔|"
    r"手足口|麻疹|猩紅熱|chicken ?pox|measles|抽筋|麻痺|手痺|腳痺|扭(?:傷|親)|脫髮|甩頭髮|紅眼|痛風|貧血|"
    r"cramp|\bnumb(?!er)|tingl|migraine|nause|constipat|bloat|reflux|heartburn|sneez|runny|eczema|acne|pimple|\blump|"
    r"bruise|sprain|injur|wound|\bgout|arthritis|thyroid|asthma|diabet|hypertension|anaemi|anemi|\buti\b|"
    r"stomach|tummy|throat|temperature|\b3[5-9](?:\.\d)? ?(?:c|°c|度)?\b(?=.{0,12}(?:fever|temp|adult|child|kid|baby))|"
    r"糖尿|血壓|血糖|膽固醇|懷孕|有咗|月經|經期|失眠|眼瞓|腫|瘀|傷口|濕疹|暗瘡|便秘|胃|心跳|氣喘|哮喘|藥|"
    r"病(?!假|歷)|(?<![睇診急])症|炎|癌|covid|pain|hurt|ache|cough|fever|rash|itch|diarrh|vomit|dizz|allerg|"
    r"\bflu\b(?! (?:vaccine|jab|shot))|"
    r"\bcold\b|pregnan|\bperiod\b|blood pressure|\bbp\b|sugar|cholesterol|\bsore\b|swollen|infection|"
    r"medicine|medication|symptom|antibiotic|amoxicillin|penicillin|paracetamol|panadol|ibuprofen|aspirin|"
    r"metformin|statin|steroid|antihistamine|\bpills?\b|tablets?|\bdos(?:e|age)\b|"
    r"抗生素|消炎|止痛|退燒|必理痛|撲熱息痛|布洛芬|類固醇|劑量|"
    r"after (?:the |my )?(?:vaccine|jab|injection|surgery|operation)|"
    r"打完(?:針|疫苗)|(?:針|手術|術)後|做完(?:手術|檢查)|"
    r"睡眠|瞓(?:唔|不)著|體重|減肥|營養|維他命|vitamin|焦慮|抑鬱|anxiety|depress|腎|肝|肺|心臟|關節|皮膚|"
    r"驗(?:血|尿)|報告|blood test|(?:test|lab) results?|\bsleep|insomnia|weight)"
)
# How patients ask: particles, question words, "can I / should I".
_ASKING = (
    r"(?:嗎|呢|\?|點|咩|乜|幾|有冇|係咪|可唔可以|可以|可否|會唔會|會不會|要唔要|使唔使|洗唔洗|需唔需要|正唔正常|"
    r"原因|點解|應該|好唔好|得唔得|定(?:係)?[\u4e00-\u9fff]{1,4}好|還是|好啲|\bbetter\b|"
    r"\b(?:why|how|what|can|could|should|is it|does|do i|normal|ok to|safe)\b|"
    r"^(?:is|are|am|will|would|can|could|should|may)\b)"
)

# The personal details a patient may ask us to correct.
_DETAIL = (
    r"(?:name|records|details|address|email|phone|mobile|number|date of birth|dob|birthday|hkid|id card|"
    r"姓名|名|地址|電話|號碼|手機|電郵|email|出世日期|生日|身份證)"
)

_FAMILIES: dict[str, list[tuple[str, float]]] = {
    "privacy_request": [
        (r"個人資料|私隱|私穩|隱私|pdpo|personal (?:data|info)|privacy|data protection", 3),
        (r"(?:我|my)\s*(?:嘅|既|啲|的|咩|乜|own)?\s*(?:個人)?(?:資料|紀錄|記錄|data|info|information|records?)", 2),
        (
            r"(?:有|保留|儲存|收集|keep|hold|store|have|collect).{0,8}(?:我|me|my).{0,6}(?:資料|data|info|紀錄|records?)",
            3.5,
        ),
        (r"病歷|醫療紀錄|medical records?|everything about me|all (?:of )?my (?:info|data|records)", 2.5),
        (r"(?:刪除|刪走|刪咗|delete|erase|remove|清除|銷毀).{0,12}(?:資料|紀錄|記錄|data|info|account|records?)", 3),
        (r"(?:刪除|刪走|delete|erase|remove).{0,10}(?:我|my).{0,6}(?:電話|號碼|地址|email|phone|number|address|名)", 3),
        (r"what (?:data|information|info)|(?:資料|data).{0,6}(?:查閱|副本|copy|export|更正)|查閱(?:我)?(?:嘅)?資料", 3),
        (
            r"(?:攞返|攞|索取|要返|access).{0,6}(?:資料|病歷|醫療紀錄|記錄|data|records)|"
            r"病歷(?:副本|copy)|medical records?",
            3,
        ),
        (r"(?:更正|更改|改返|correct|update).{0,6}(?:我)?(?:嘅|啲)?(?:個人)?(?:資料|data|details)", 2.5),
        (rf"(?:correct|update|change|amend|fix|更正|更改|修改|改正).{{0,15}}{_DETAIL}", 3),
        (
            rf"(?:改|換|轉|搬)(?:咗|左|了)(?:新)?(?:嘅|個)?{_DETAIL}|new (?:phone|mobile|number|address|email)|"
            r"changed my (?:number|phone|mobile|address|email|name)|moved house|搬(?:咗|左)屋",
            3.5,
        ),
        (r"(?:刪除|刪走|delete|close|remove|取消).{0,6}(?:帳戶|賬戶|戶口|account)", 3),
        (r"forget me|right to be forgotten|gdpr", 3),
        # my details changed or are wrong: "我地址改咗", "個名串錯咗", "wrong date of birth"
        (
            r"(?:更新|修改|修正|update|amend).{0,6}(?:我)?(?:嘅|啲)?(?:個人)?(?:資料|紀錄|記錄|data|details|records?)",
            3.5,
        ),
        (
            r"(?:地址|電話|號碼|email|電郵|姓名|名|出世日期|生日|身份證)(?:已經)?(?:改|換|轉|搬)(?:咗|左|了)|"
            r"(?:名|姓名|地址|電話|出世日期|生日|身份證|email)\S{0,3}(?:串錯|寫錯|打錯|錯咗|錯左|唔啱|有錯)|"
            r"(?:name|address|date of birth|dob|birthday|email|phone number)\b.{0,15}"
            r"\b(?:wrong|incorrect|misspel|spelt wrong|spelled wrong|typo)|"
            r"wrong (?:name|address|date of birth|dob|birthday|email)|"
            r"\bmy (?:home )?(?:address|phone number|mobile(?: number)?|contact number|email)\b.{0,6}"
            r"\b(?:has |have |is |was )?(?:changed|new|moved)\b",
            3.5,
        ),
        # the mistake told before the detail: "你哋登記錯咗我出世日期", "寫錯咗我個名"
        (rf"(?:登記|寫|串|記|輸入|入|填|印)錯(?:咗|左|了|晒)?.{{0,4}}{_DETAIL}", 3.5),
        (
            r"(?:update|change|correct|amend|更新|更改|修改|改)\b.{0,6}(?:my|我(?:嘅|的|個)?)\s*"
            r"(?:phone|mobile|contact|電話|手機|email|電郵|地址|address|name|姓名)",
            3.5,
        ),
        # my data reached someone else: "點解我朋友會收到我嘅覆診提醒"
        (
            r"(?:朋友|其他人|別人|第二個|另一個人|someone else|another person|my friend|other people)"
            r".{0,10}(?:收到|睇到|知道|received|got|saw|see|know).{0,10}(?:我|my)",
            4,
        ),
        # leaks, sharing with third parties, consent
        (
            r"外洩|洩露|洩漏|泄露|\bleak|breach|third[ -]part|第三方|"
            r"(?:share|sell|give|pass)(?:s|d)? (?:my |our )?(?:info|information|data|details|records)|"
            r"(?:分享|賣|俾|畀|交)(?:咗|左)?(?:我)?(?:嘅|啲)?(?:個人)?(?:資料|紀錄|記錄)|"
            r"撤回同意|withdraw (?:my )?consent|"
            r"(?:資料|紀錄|記錄).{0,3}(?:賣|俾|畀|交|分享|傳)(?:俾|畀|給)?(?:人|第三方|保險|公司|其他|外人)",
            3.5,
        ),
        (
            r"who (?:can|has|have|could) (?:access|see|view|read)|"
            r"邊個(?:可以|會)?(?:睇到|睇|接觸|存取|攞到)(?:我)?(?:嘅|啲)?(?:資料|紀錄|記錄|病歷)|"
            r"\bmy (?:medical |health )?(?:info|information|data)\b",
            3.5,
        ),
        # how they came to have my data: "點解你哋有我電話", "how did you get my number"
        (
            r"(?:點解|點樣|點會|why|how).{0,10}(?:你哋|你地|你們|you).{0,6}(?:有|get|got|have|知道|攞到|搵到|obtain)"
            r".{0,4}(?:我|my).{0,8}(?:電話|號碼|number|資料|data|contact|email|地址|details)",
            3.5,
        ),
        (
            r"(?:info|information|data|records?|details)\b.{0,25}\b(?:hold|have|keep|store|collect)(?:s|ed)? "
            r"(?:on|about|of) (?:me|us|my)|\bcopy of (?:all |my |the )?(?:info|information|data|records|details|file)",
            3.5,
        ),
    ],
    "reschedule_appointment": [
        (
            r"改期|改日子|改日期|改時間|改約|改預約|"
            r"改(?:下|吓|一下|返|番|過|咗|左)?(?:個|嗰個|我個|我嘅)?(?:book|booking|appointment|appt|時間|期|日)",
            4,
        ),
        (r"改(?:早|遲|晏|前|後)(?:啲|少少|d|一|兩|個)", 3.5),
        # "將預約提早到朝早", "覆診可唔可以提前": moving a held appointment earlier
        (
            r"將.{0,10}(?:提早|提前|推遲|押後|延後)|"
            r"(?:預約|約|覆診|複診|booking|appt|appointment)(?:時間|日期)?(?:可(?:唔|不)?可以|能否|可否|想)?(?:提早|提前)|"
            r"\bbring (?:it |my \w+ |the \w+ )?(?:forward|earlier)\b|\b(?:move|make) it earlier\b",
            4,
        ),
        (
            r"改(?:返|番|下|吓|一下|咗|左)?(?:個|嗰個|我個|我嘅)?(?:覆診|複診|預約|約|booking|appt|appointment)"
            r"(?:時間|日子|日期)?(?:去|到|做|為|成)",
            4,
        ),
        (
            r"\binstead\b|rather than|\b(?:shift|switch|swap|bring forward)\b|"
            r"change (?:it |this |that |mine )?(?:to|for) ",
            3.5,
        ),
        # 改 followed by when: "改聽日", "改遲半個鐘", "改去下晝"
        (
            r"改(?:去|到|做|成)?(?:聽日|後日|今日|明|下|星期|禮拜|週|\d|[一二三四五六七八九十兩]|朝|晏|夜|上晝|下晝|早|遲)",
            3.5,
        ),
        (
            r"轉期|延期|延遲|延後|押後|推遲|推後|搬期|順延|改(?:去|到|做|為|成)|"
            r"轉(?:咗|吓|下)?(?:去|到|做)(?:下|星期|禮拜|聽日|後日|今日|\d|[一二三四五六七八九十])",
            3.5,
        ),
        (r"re-?sched|reshedule|rescedule|rebook|re-book|postpone|push (?:it |my \w+ )?back|\bmove (?:my |the |it )", 4),
        (r"\b(?:move|shift|push|bring)\b.{0,30}\b(?:appointment|appt|booking|visit)|\bgai ?(?:kei|kee|yat)\b", 4),
        (
            r"change (?:my |the |our )?(?:appointment|appt|booking|time|date|day|slot)|"
            r"(?:another|different|other) (?:day|time|date|slot)",
            3.5,
        ),
        (r"(?:換|轉|改).{0,4}(?:第二|另一|其他)(?:日|個時間|天|個)", 3.5),
        (r"(?:改|更改|修改|轉|換|調)(?:下|吓|一改|一下)?.{0,4}(?<!出生)(?<!出世)(?:日期|日子|時間|時段)", 3.5),
        # an appointment already held, then a move: "約咗聽日 可唔可以推去下個禮拜",
        # "我下星期一約咗 ... 可以轉星期二嗎", "i have appt on thurs, can move to sat"
        (
            r"^(?=.*?(?:約(?:咗|左|了)|預約(?:咗|左|了)|book(?:咗|左|了)|有(?:個)?(?:約|預約|booking)|訂(?:咗|左)|"
            r"\bi (?:have|had|got|booked)\b.{0,10}\b(?:appt|appointment|booking)|\bmy (?:appt|appointment|booking)))"
            r"(?=.*?(?:轉|推|搬|調|挪|改|換|\bmove\b|\bchange\b|\bswitch\b|\bshift\b|\bpush\b|"
            r"(?:可(?:唔|不)?可以|可否|能否|想)(?:再)?(?:遲|早|晏)(?:啲|少少|d|一點|一個鐘|半個鐘)(?!到)))",
            3.5,
        ),
        (r"(?:推|搬|調|挪)(?:去|到|遲|後|前|早)|\bmove (?:it |this |that )?(?:to|till|until)\b", 3.5),
        (
            r"\b(?:can|could) (?:we|i|you) (?:make it|do it) (?:at |on |for )?"
            r"(?:\d|later|earlier|another|tomorrow|next|mon|tue|wed|thu|fri|sat|sun|in the)",
            3.5,
        ),
        (r"(?:唔|不)(?:嚟|來|去)得.{0,20}(?:改|轉|第二日|另一日|遲啲|下次|其他時間|第二個時間)", 3.5),
        (r"(?:can'?t|cannot|can not) (?:make|come).{0,30}(?:another|other|different|later|change|move)", 3.5),
        (r"(?:can'?t|cannot) (?:make|come).{0,40}(?:possible|how about|what about|\?)", 3.5),
        (r"(?:cancel|取消).{0,25}(?:re-?book|book過|約過|再約|再book|改約|book (?:it )?again|book another)", 4.5),
        (r"(?:appointment|appt|booking|預約|約).{0,15}(?:needs? to change|換|改)", 3.5),
        # a reason, not a request: it leans to a change only when nothing else is asked
        (r"something came up|有啲事|臨時有事", 2),
    ],
    "cancel_appointment": [
        (r"取消|cancel|cancl|cancle|cxl|撤銷|call off|取銷|(?:取笑|取宵).{0,8}(?:預約|約|booking|appointment|appt)", 3),
        (
            r"(?:唔|不|冇得)(?:嚟|來|去)(?:得|喇|啦|了)|嚟唔到|來唔到|去唔到|"
            r"來不了|去不了|唔使(?:嚟|來)|唔(?:嚟|來|去)?(?:睇|約|book|覆診)(?:喇|啦|了|住)|"
            r"(?:嚟|來|去|趕)(?:唔|不)(?:切|及)|\bcut(?:咗|左|埋)?\b.{0,12}(?:約|預約|booking|appt|appointment)",
            3,
        ),
        (
            r"(?:can'?t|cannot|can not|won'?t be able to|unable to) (?:make it|come|attend|go)|"
            r"not (?:coming|going to make)|won'?t be (?:coming|there|able to come)|will not (?:be )?(?:coming|come)",
            3,
        ),
        (r"(?<!要)(?:唔要|唔想要|不要)(?:個|咗)?(?:約|預約|appointment|booking)|no longer need", 3),
        (
            r"(?:no need|(?:don'?t|do not|no longer) need)\b.{0,12}\b(?:appointment|appt|booking)|"
            r"(?:appointment|appt|booking)\b.{0,12}\b(?:anymore|any more|no longer)",
            3.5,
        ),
        # "唔使留位喇", "唔洗約喇 我好返咗", "不用預約了": no longer need what was booked
        (
            r"(?<!要)(?<!使)(?<!洗)(?:唔使|唔洗|唔駛|不用|毋須|唔需要|不需要)(?:再)?(?:幫我)?"
            r"(?:留(?:返)?(?:個)?位|約|預約|book|睇(?:醫生)?|嚟|來|過嚟)(?:喇|啦|了|住|$|\s)",
            3.5,
        ),
        (r"(?:appointment|appt|booking|約|預約|位).{0,4}(?<!要)(?:唔要|不要|唔使|取消)", 3.5),
        (r"(?:drop|remove|delete|scrap) (?:my |the |our )?(?:\S+ ){0,2}(?:appointment|appt|booking|reservation)", 3.5),
        (r"(?:刪除|刪咗|刪走|撤回|\bdelete|\bremove).{0,8}(?:約|預約|booking|appointment|appt)", 3.5),
        # unable to attend: "未能出席", "無法赴約", "冇辦法嚟", "unable to attend", "skip my appointment"
        (
            r"(?:未能|無法|不能|冇辦法|冇法|唔能夠)(?:夠)?(?:出席|赴約|應診|覆診|嚟|來|到診|前來)|"
            r"\bskip (?:my |the |our )?(?:appointment|appt|booking|visit)|"
            r"(?:won'?t|will not|can'?t|cannot|not) (?:be )?(?:able to )?make (?:it|the appointment|my appointment)",
            3,
        ),
    ],
    "queue_status": [
        (
            r"(?:排|叫|輪|去|到)(?:到|咗)?(?:第)?(?:幾|邊個|邊)(?:多)?號|(?<!電話)幾多號(?:喇|啦|呀)?|而家(?:幾多|幾)號",
            4,
        ),
        (
            r"(?:輪候|叫號|處理)(?:到|至|去)(?:第)?幾|幾時(?:先)?(?:輪|到)(?:到)?我|輪(?:到)?我未|到我未|到咗我未|"
            r"仲(?:有|要|要等|等)?幾(?:耐|久)|要等幾(?:耐|久)|等(?:咗)?幾耐|(?:就|快|就快)(?:輪)?到我|"
            r"am i next|\bme next\b|next in line|"
            r"幾時(?:先)?(?:會)?(?:輪|叫)(?:到)?|"
            r"仲(?:有|要)?(?:等)?幾(?:多)?(?:個|位|人)|"
            r"how many (?:people )?(?:are )?(?:waiting|ahead|in (?:the )?(?:queue|line))|"
            r"(?:is the|how long is the|how(?:'s| is) the) (?:queue|line|wait)|being called|get called|be called|"
            r"\banother (?:hour|half (?:an )?hour|\d+ ?(?:min|mins|minutes|hours?))\b",
            4,
        ),
        (r"(?:前面|之前|前邊)(?:仲)?(?:有|剩)幾(?:多)?(?:個|位|人)|仲有幾(?:多)?(?:個|位|人)(?:先|未|到)", 4),
        (r"(?:我|my)(?:個|張|嘅|的)?\s*(?:籌|號|飛|queue number|ticket)|我(?:係|攞咗|拎咗).{0,3}\d+號", 3),
        (
            r"queue status|check\s*(?:下|吓|the|my)?\s*(?:queue|籌)|"
            r"(?:how many|how much) (?:people |more )?(?:ahead|before me|in front|left|waiting)",
            4,
        ),
        (
            r"when (?:is|will) (?:it )?(?:be )?my turn|my turn|"
            r"how (?:much )?longer|still waiting|"
            r"how long .{0,25}\bwait|"
            r"how long (?:until|till|before|is the queue)|"
            r"waiting time|now serving|"
            r"current (?:queue )?(?:number|no)|what(?:'s| is) the (?:current )?(?:queue )?number|"
            r"which number",
            4,
        ),
        (r"(?:排|叫|輪)(?:到|咗)(?:第)?\d+號|\d+號(?:到|叫|輪)(?:咗)?(?:未|我)|(?:到|叫到)(?:我)?\d+號未", 4),
        (r"what number|排隊情況|輪候(?:情況|時間)|等候時間|現在(?:叫)?到幾號", 4),
        # written Chinese: "目前輪候人數有多少", "現時有多少人在等候"
        (r"(?:輪候|排隊|等候|候診)人數|(?:多少|幾多)(?:個)?人(?:在|喺)?(?:輪候|排隊|等候|候診|排|等)", 4),
        (r"\b(?:when|what time|how long|how soon)\b.{0,25}\b(?:be|get|being|gets|getting) (?:seen|called|served)\b", 4),
        # "幾耐先到我", "幾時會叫到我哋", "而家排到第幾", "叫到幾多"
        (
            r"(?:幾時|幾耐|幾久|幾點|何時|幾多點)(?:先)?(?:會)?(?:輪|到|叫)(?:到)?(?:我|我哋|我地|我們)|"
            r"(?:排|叫|輪)(?:到|咗|緊)(?:第幾|幾多|邊)|我(?:排|係)第幾",
            4,
        ),
        # "how many ppl ahead of me", "anyone in front of me", "before me"
        (
            r"(?:ahead of|in front of|before) (?:me|us)\b|how many\b.{0,20}\b(?:ahead|in front|before me|left|waiting)",
            4,
        ),
        # "會唔會過咗號", "missed my number": worrying about missing one's turn
        (r"過(?:咗|左|晒)(?:號|籌|我)|飛(?:咗|左)(?:號|籌)|miss(?:ed)? (?:my|our) (?:turn|number|queue)", 4),
        # romanised Cantonese: "gei si dou ngo", "dou ngo mei"
        (r"\bgei\s*(?:si|noi|loi|do)\b.{0,12}\bdou\b|\bdou (?:ngo|ngoh)\b", 3.5),
        # the wait itself: "而家等緊幾多個", "仲要等幾多分鐘", "排隊要幾耐", "仲有好多人排緊"
        (
            r"等(?:緊|咗|左)?(?:幾多|幾耐|幾久|幾個|多久|幾多分鐘|幾多個鐘)|"
            r"(?:排隊|排|輪候|等)(?:要|需要)(?:等)?(?:幾|多)(?:耐|久)|"
            r"(?:使唔使|洗唔洗|要唔要|會唔會|需唔需要)(?:排|等)(?:好|幾|很)(?:耐|久)|"
            r"(?:好多|幾多|多唔多)人(?:喺度)?(?:排|等)|(?:排緊|等緊).{0,6}(?:\?|嗎|呀|未|幾)",
            4,
        ),
        # a queue word and a status question anywhere: "我張飛幾時叫", "number 18 close?", "queue still long?"
        (
            r"^(?=.*?(?:籌|(?<![話多])號|排隊|排緊|輪候|\bqueue\b|(?<!phone )\bnumber\b|\bturn\b|\bline\b))"
            r"(?=.*?(?:幾耐|幾久|幾多|幾時|到未|叫未|未到|到邊|\bhow (?:long|many|much longer)\b|\bwhen\b|\byet\b|"
            r"\bclose\b|\bsoon\b|\bstill\b))",
            3,
        ),
        # "排咗好耐喇 仲未到", "等咗成個鐘", "我應該幾點返嚟"
        (
            r"(?:排|等)(?:咗|左|了)(?:好|咁|成|幾|差唔多|超過|足足)?(?:耐|久|個鐘|個半鐘|半個鐘|[一二三四五兩幾半]+個(?:半)?鐘|\d)|"
            r"仲未(?:到|叫|輪)|還(?:要|有)(?:等)?多久|要等多久|等(?:了)?多久|多久(?:才|先)?(?:輪)?到我|"
            r"幾(?:點|時)(?:返|翻)(?:嚟|來|去)|when (?:should|do|can) (?:i|we) (?:come|be) back",
            4,
        ),
        # my turn / my name called: "輪到我嗎", "叫咗我未", "到我喇嘛"
        (r"(?:輪|叫|到)(?:到|咗|左)?(?:我|我哋|我地|我個\S{0,2})(?:未|嗎|呀|喇|啦|\?|$)", 4),
        (
            r"running late|been waiting|waited (?:for )?(?:\d|an? |over|more)|"
            r"waiting (?:for )?(?:so long|ages|an hour|\d)",
            3.5,
        ),
        (
            r"how long (?:more|left|to go|still)|how much (?:more|longer) (?:time|to wait)|"
            r"(?:my|our) (?:queue )?(?:number|no\.?|ticket) is",
            3.5,
        ),
    ],
    "talk_to_staff": [
        # "running 10 mins late", "塞車 遲10分鐘到": news for the front desk, not a new time
        (
            r"\b(?:i'?m|im|i am|we'?re|we are|i'?ll be|we'?ll be|will be|gonna be|might be|may be|running)\b"
            r".{0,20}\blate\b(?!.{0,10}\b(?:is the|are you|doctor|dr)\b)|"
            r"遲(?:咗|左)?(?:\d+|[一二三四五六七八九十兩半]+|幾|少少|啲|d|一陣)(?:個)?(?:分鐘|分|個鐘|鐘)?(?:左右)?(?:先)?到|"
            r"(?:會|可能|要|應該)遲(?:啲|少少|d|一陣)?到|晚(?:啲|少少|d|一點)到|塞車.{0,10}(?:遲|晚)|"
            r"stuck in traffic|traffic jam|(?:will|'ll) be there in \d+|\bon my way\b|\bomw\b",
            3,
        ),
        # "我聽日幾點?", "what time is my appointment", "can you confirm my booking": a look-up
        (
            r"what time is (?:my|our) (?:appointment|appt|booking|follow)|"
            r"(?:what time|when|what day|which day|what date)(?:'s| is| was)? (?:my|our) (?:next )?"
            r"(?:appointment|appt|booking|follow|check-?up|visit)|"
            r"\b(?:my|our) (?:next )?(?:appointment|appt|booking)(?: is| was|'s)? "
            r"(?:when|what time|on what day|which day)\b|"
            r"(?:我|我哋|我地)(?:嘅|個|的|下次)?(?:聽日|今日|後日|明天|今天|下次)?(?:嘅|個|的)?"
            r"(?:約|預約|覆診|複診|booking|appointment|appt)(?:時間)?(?:係|是|喺|定(?:咗|左)?)?"
            r"(?:幾點|幾時|邊日|邊一日|咩時間|乜嘢時間|什麼時候|何時|幾號)|"
            r"(?:我|我哋|我地)(?:嘅|個|的)(?:約|預約|覆診|複診|booking|appointment|appt)(?:係咪|是否|係唔係|是不是)|"
            r"when is (?:my|our) (?:appointment|appt|booking|follow)|"
            r"(?:confirm|check|remind me (?:of|about)) (?:my|our) (?:appointment|appt|booking)|"
            r"(?:appointment|appt|booking) (?:is )?(?:confirmed|still on)\b|"
            r"\bis (?:my|our) (?:appointment|appt|booking)\b.{0,25}\b(?:confirmed|still on|booked)\b|"
            r"^我(?:嘅|個)?(?:聽日|今日|後日|明天|今天|星期.|禮拜.|下星期.|下禮拜.)(?:嘅|個)?(?:約|預約|覆診|appointment|appt)?(?:係)?"
            r"幾點(?:鐘)?(?:呀|啊|嗎|\?)?$|"
            r"(?:約|預約|book)(?:咗|左|了)(?:邊日|幾點|幾時|咩時間)|"
            r"(?:唔記得|忘記|忘了|唔知).{0,6}(?:約咗|預約|幾點|邊日)|"
            r"(?:預約|booking|appointment|appt)(?:係咪|是否|有冇)?(?:已經)?(?:確認|confirm)(?:咗|左|了)?",
            4,
        ),
    ],
    "join_queue": [
        (
            r"(?:攞|拎|取|拿|要|抽|排)(?:個|一個|張)?(?:籌|號|飛)|排隊|排個隊|"
            r"\bpai ?dui\b|\b(?:lo|lor|lai) ?chau\b|現場(?:掛號|排隊|登記|攞籌)|"
            r"排(?:返)?(?:個)?位|幫我排|輪候(?:號碼|號|籌|飛)|即日(?:睇|排)|walk[ -]?in",
            3.5,
        ),
        (
            r"join (?:the |a )?(?:queue|q|line|waiting list)|get in line|line up|"
            r"(?:get|take|grab|give)(?: me)? (?:a |my )?(?:queue )?(?:number|ticket|no\.?)|"
            r"queue (?:for|number|me|up|ticket)|add me to (?:the )?queue",
            3.5,
        ),
        (
            r"(?:而家|現在|即刻|馬上)(?:可以|可唔可以|可不可以|能不能|能否)?(?:直接|即刻|馬上)?(?:過|嚟|來|上)(?:嚟|來)?(?:睇|看)|"
            r"即刻(?:過嚟)?睇|現在(?:可以)?(?:過來)?看|come (?:in |over |down )?now|"
            r"(?:bring|take) (?:him|her|them|my \w+|the \w+) (?:in |over |down |there )?(?:now|right now|asap)\b|"
            r"see (?:the )?doctor (?:now|today|right now)",
            2.5,
        ),
        (r"\bqueue\b|\bq\b|籌", 2),
        # formal written Chinese: "本人希望現場輪候 請代為登記", "申請即日候診"
        (
            r"(?:現場|即場|即日|親身)(?:輪候|候診|取號|拿號|排號)|"
            r"(?:希望|想|要|請|申請|登記|安排)(?:現場|即場|即日)?(?:輪候|取號|拿號|排號)(?!人數|情況|時間)|"
            r"代(?:為|我)(?:登記|取號|拿號|排隊|輪候)",
            3.5,
        ),
        # coming now and asking whether to queue: "而家過嚟要唔要攞籌" (not "使唔使預約", a policy question)
        (
            r"^(?=.*?(?:而家|依家|宜家|即刻|馬上|現在|今日|過嚟|過來|\bnow\b|\btoday\b))"
            r"(?=.*?(?:要唔要|使唔使|洗唔洗|需唔需要|需要|要)(?:先)?(?:排隊|排|攞籌|拎籌|取籌|攞號|拎號)(?!.{0,3}(?:好耐|幾耐|幾久|多久|好久)))",
            4.5,
        ),
        # 排 as a verb with a modal: "今日仲可唔可以排", "有冇得排", "排得唔得" (not 排到: that is status)
        (r"(?:可(?:唔)?可以|仲|想|要|去|嚟|過嚟|有冇得|點樣|點)排(?!到|咗|緊|第)|排(?:得唔得|唔排得|得嗎)", 3),
    ],
    "book_appointment": [
        (
            r"book|bk|預約|預訂|掛號(?!費)|"
            r"約(?:醫生|個|時間|期|診|聽日|今日|後日|下|星期|禮拜|禮|\d|[一二三四五六七八九十])|"
            r"(?:想|要|一齊|可以|點|點樣)(?:再|先|快啲|盡快|幫我|同我|幫佢|同佢)?約|(?:可(?:唔)?可以|得唔得|幾時|邊日)(?:過嚟|嚟)?睇|幫我約|可唔可以約|約咗|"
            r"約(?:$|呀|啊|嗎|\?)|有(?:冇)?空?位|空位|求診|就診|看診|"
            r"留(?:返)?(?:個|一個)?位",
            3,
        ),
        (r"appointment|appt|apointment|ap+[a-z]{0,4}ment|schedule|reserve|reservation|make an? ", 3),
        (
            r"睇醫生|睇(?:[\u4e00-\u9fff]{1,3})?醫生|見醫生|睇(?:症|病|返)|看醫生|看病|睇dr|"
            r"see (?:a |the )?(?:dr|doctor|doc|gp|physician)|有冇(?:醫生|人|得)?睇|visit (?:the )?(?:doctor|clinic)",
            2.5,
        ),
        (
            r"有(?:冇|沒有)?得(?:約|預約|book)|有冇位|仲有冇位|有位|有冇(?:時間|slot|空|籌位)|有冇.{0,12}(?:時段|空檔|空位)|時段|有冇得睇|"
            r"slot|availab|得唔得閒|free time|any time ?slots?|anything (?:free|available|open)|"
            r"\bfree (?:on|at|this|next|tomorrow|today|tmr|in the)\b|are you free|any free|"
            r"\bopenings\b|any (?:space|room|opening)",
            2.5,
        ),
        (
            r"覆診|複診|follow[ -]?up|打(?:流感|新冠|疫|預防)?針|疫苗|"
            r"vaccin|jab|flu shot|身體檢查|體檢|驗身|check ?up|"
            r"health check",
            2,
        ),
        (r"(?:我|i)(?:想|要|want|would like|'d like)(?: to)? (?:come|see)", 1.5),
        # a later day's 籌 is a slot: "聽日下晝仲有冇籌" (today's is the queue)
        (r"(?:聽日|聽朝|後日|明天|明日|星期|禮拜|週|周|下晝|朝早|夜晚).{0,8}有(?:冇|沒有)籌", 3),
        # asking for a refill is asking to be seen: "我想續藥", "I need a refill"
        (
            r"(?:想|要|需要|need|want|would like|'d like)(?: to)?(?: get| have)?(?: a| my| some)?\s?"
            r"(?:續藥|續返|攞藥|拎藥|配藥|refill|repeat prescription|more (?:medicine|meds|medication|pills|tablets))",
            3.5,
        ),
    ],
    "clinic_info": [
        # what to bring to a visit: "看診需要帶什麼證件", "使唔使帶身份證", "what should I bring"
        (
            r"(?:帶|攜帶|準備)(?:咩|乜|乜嘢|什麼|甚麼|啲咩|邊啲|哪些|埋)?(?:證件|文件|身份證|證明|卡|嘢|東西|資料)|"
            r"(?:帶|攜帶)(?:唔|不)(?:帶|攜帶)|"
            r"\bwhat (?:do|should|must) (?:i|we) (?:need to )?bring\b|\b(?:need|have) to bring\b|"
            r"\bbring (?:my |any |an? |the )?(?:id|hkid|documents?|ids|cards?|passport)\b",
            4.5,
        ),
        (
            r"(?:洗|使|需|要|駛|用)(?:唔|不)(?:洗|使|需|要|駛|用)(?:要)?(?:先)?(?:預約|book|排隊|約|攞籌)|"
            r"do i need (?:to book|an appointment)|"
            r"need an appointment or|walk-?ins? (?:accepted|ok|welcome)",
            4,
        ),
        (
            r"夜診|日診|幾點(?:鐘)?(?:開|閂|關|收|休息|食)|"
            r"lunch (?:time|break|hour)|開(?:到|至|去)幾(?:點|時)|"
            r"開(?:門|診|舖)|閂門|關門|收工|"
            r"收幾點|營業|開放時間|辦公時間|應診時間|診症時間|幾點到幾點",
            3,
        ),
        (
            r"(?:opening|office|business|clinic|consultation|working) hours|are you open|"
            r"(?:you|clinic|u)(?: guys| all| people)? (?:open|close)|what time .{0,20}(?:open|close)|"
            r"when .{0,15}(?:open|close)|(?:open|close)s? (?:till|until|to) (?:what|when|how late)|how late",
            3,
        ),
        (
            r"開(?:唔|不)開|有冇開|開嗎|開工|休息(?:日|幾耐)?|假期|公眾假期|"
            r"public holiday|holiday|sunday|星期日開|禮拜日開|中醫|牙醫|兒科|婦科|皮膚科|眼科|物理治療|physio|dentist|"
            r"specialist|paediatric|pediatric",
            2,
        ),
        (
            r"喺邊|(?:係|在)邊(?:度|處|道|裡|間)|在哪|邊度|邊個地址|地址|"
            r"點(?:樣)?(?:去|嚟|來|行)|地鐵|mtr|出口|泊車|parking|停車場|車位|car ?park|"
            r"address|"
            r"where (?:is|are|r)|location|located|directions|map|how (?:do i|to) get",
            3,
        ),
        (
            r"收(?:幾|費)|幾(?:多)?錢|價錢|價格|收費|診金|費用|幾錢|多少(?:錢|費用)|"
            r"包(?:唔包|幾多|幾|多少)?(?:日|天)?(?:藥)|"
            r"\bprices?\b|\bcosts?\b|\bfees?\b|\bcharges?\b|how much",
            3,
        ),
        (
            r"醫療(?:券|劵|卷|卡)|醫療券|醫保|voucher|保險|insurance|insure|\bcards?\b|信用卡|credit|八達通|octopus|payme|"
            r"fps|轉數快|alipay|支付寶|微信支付|wechat ?pay|apple ?pay|現金|\bcash\b|收唔收|accept|paying|payment|俾錢",
            3,
        ),
        (
            r"電話(?:號碼)?(?:係|幾多)|phone number|email|網站|website|有冇(?:女|兒科|中醫|牙|專科|骨科|皮膚科)?醫生|"
            r"邊位醫生|邊個醫生|which doctors?|男定女|女醫生|男醫生|(?:male|female|lady) doctor|"
            r"(?:is there|are there|do you have|have you got) (?:a |an |any )?.{0,15}(?:doctor|specialist|dentist)|"
            r"(?:醫生|dr\b.{0,10}).{0,6}(?:幾時|邊日|邊幾日)(?:返工|應診|喺度|在)|"
            r""
            r"(?:doctor|dr).{0,20}(?:on duty|working|in today)",
            2.5,
        ),
        (
            r"有冇(?:.{0,6})(?:服務|針|疫苗|檢查|驗)|"
            r"do you (?:do|offer|have|provide|accept|take|sell|treat|handle|see)|"
            r"services?|病假紙|醫生紙|sick (?:leave|note)|medical cert|轉介信|referral|講英文|"
            r"speak english|普通話|mandarin",
            2,
        ),
        (r"有冇得(?![睇排約]|book)[\u4e00-\u9fff]|有冇(?:得)?(?:賣|售)", 2.5),
        # holidays and weather signals: "八號風球開唔開", "黑雨照開?", "CNY open?"
        (
            r"風球|颱風|黑雨|紅雨|暴雨|typhoon|signal ?(?:no\.? ?)?[38]|t8|black rain|rainstorm|"
            r"聖誕|新年|年初[一二三四五六七八九十]|年三十|除夕|復活節|中秋|重陽|清明|端午|佛誕|國慶|七一|勞動節|"
            r"christmas|xmas|easter|\bcny\b|lunar new year|chinese new year|new year",
            2.5,
        ),
        # which doctor works when: "陳醫生邊日返工", "is dr lee in on friday"
        (
            r"(?:醫生|dr\b|doctor).{0,8}(?:邊日|幾時|今日|聽日|星期|禮拜)?.{0,4}(?:返工|上班|應診|喺度|坐診|休息|放假)|"
            r"\b(?:dr|doctor) \w+ (?:in|working|on duty|off)\b",
            2.5,
        ),
        # services and facilities: "你哋有冇做疫苗注射", "有冇輪椅通道", "walk-ins or appointment only"
        (r"有(?:冇|沒有|無)(?:做|提供|得做)", 2.5),
        (r"輪椅|無障礙|升降機|電梯|\blift\b|wifi|洗手間|廁所|toilet|wheelchair|accessib|嬰兒車|bb車|pram", 3),
        (
            r"(?:take|accept|allow)s? walk[ -]?ins?|walk[ -]?ins? or|appointments? only|by appointment|"
            r"walk[ -]?ins? (?:allowed|possible|only)|(?:預約|walk ?in)(?:定|或|還是)(?:walk ?in|預約)|"
            r"淨係(?:收)?(?:預約|walk ?in)|只(?:接受|限)預約",
            4,
        ),
        (r"收據|receipt|發票|invoice|診斷書|醫生證明|medical cert", 3),
        # paperwork a doctor writes: "補開病假紙", "referral letter to a specialist"
        (r"病假紙|醫生紙|sick (?:leave|note)|medical cert|轉介信|轉介|referral|證明書|\bmc\b", 3),
        # whether medicines need a consultation: "攞藥洗唔洗再睇醫生"
        (
            r"^(?=.*(?:藥|prescription|meds|medicine|medication))"
            r"(?=.*(?:(?:洗|使|需|要)(?:唔|不)(?:洗|使|需|要)|唔使|不用|without|淨係|only)(?:再)?\s?"
            r"(?:睇|見|看|seeing|see)(?:醫生| the doctor| a doctor| doctor))",
            4,
        ),
        # does a service need booking: "打流感疫苗要預約嗎", "do I have to book for a flu jab"
        (r"(?<!我)(?<!想)(?:要|需要|使|洗|用)(?:先)?(?:預約|book)(?:嗎|咩|㗎|\?)|do i (?:have|need) to book", 4),
        (r"簽卡|碌卡|刷卡|拍卡|\bswipe\b|分店|branch", 3),
        # repeat medicines: "淨係攞藥", "repeat prescription", "續藥"
        (
            r"(?:攞|拎|配|續|開)(?:返|番)?(?:上次|同樣|一樣|多)?(?:嘅|啲|d|個)?\S{0,4}藥(?!.{0,3}(?:可唔可以|嗎|得唔得|點))|"
            r"repeat prescription|prescription|refill|(?:more|same) (?:medicine|medication|meds)",
            3,
        ),
        # does the clinic offer a service at all (no booking words): "你哋有冇打流感針", "do you do HPV vaccine"
        (
            r"^(?!.*(?:約|預約|book|\bbk\b|位|slot|appoint|appt|schedule|reserv|想打|想做|want|like to))"
            r"(?=.*?(?:有冇|有沒有|有無|do you|does the clinic|can you|你哋|你地|有得|any\b|offer|provide))"
            r"(?=.*?(?:疫苗|針|vaccin|\bjabs?\b|\bshots?\b|身體檢查|體檢|驗身|body ?check|health ?check|check ?up|"
            r"x-?ray|x光|照肺|驗血|驗尿|blood tests?|超聲波|ultrasound|心電圖|ecg|服務|service))",
            3,
        ),
        (r"(?:港鐵|地鐵|巴士|小巴|輕鐵|火車|電車)站?|\bstation\b|\bbus\b|minibus|\btram\b|的士|\btaxi\b", 3),
        # how to arrive for an appointment: "幾點要到", "要唔要早啲到", "how early should I come"
        (
            r"幾點(?:要|需要|應該)?(?:到|嚟|來)(?!我)|(?:要|使|需)(?:唔|不)?(?:要|使|需)?早(?:啲|幾耐|幾多)?(?:到|嚟|來)|"
            r"how early|what time should (?:i|we) (?:come|arrive|be there)|need to (?:come|arrive) early|"
            r"(?:帶|bring)(?:唔帶|咩|乜|什麼|what)",
            3.5,
        ),
        # a specialty named ("骨科醫生有冇", "有冇耳鼻喉科"): which doctors the clinic has
        (r"[\u4e00-\u9fff]{1,3}科(?:醫生|專科)?", 2),  # "do you offer X", not "book me for X"
    ],
    "medical_question": [
        # a health word and a question anywhere in the message: "喉嚨痛可以飲凍嘢嗎"
        (rf"^(?=.*?{_HEALTH})(?=.*?{_ASKING})", 2.5),
        # what to eat, drink or do when ill, and what causes it
        (
            r"(?:應該|可以|要)?(?:食|飲|搽|用)(?:咩|乜|乜嘢|什麼|甚麼)(?:嘢)?(?:好|先|藥)?(?=.*?" + _HEALTH + ")|"
            r"(?:咩|乜|什麼|甚麼)原因|"
            r"\b(?:can|may|should) (?:i|he|she|we|my \w+) (?:eat|drink|shower|bathe|exercise|swim|work|fly|travel)\b|"
            r"\b(?:ok|okay|safe|fine) to (?:eat|drink|take|mix|exercise|swim|shower)\b(?=.*?" + _HEALTH + ")|"
            r"how long (?:does|do|will|can|should) .{0,25}\b(?:last|take to (?:heal|recover|go away)|be contagious)|"
            r"\bnormal (?:blood|bp|range|level|temperature|heart)",
            3,
        ),
        # whether a test or procedure is needed: "需唔需要照肺", "使唔使驗血"
        (r"(?:需|使|洗|要)(?:唔|不)(?:需|使|洗|要)(?:要)?(?:照|驗|做手術|開刀|食藥|戒口|休息|打抗生素)", 3),
        # a report or results, to read or to have explained: "我想睇報告", "check my report"
        (
            r"(?:睇|check|see|view|read|get|攞|拎|問|知道|explain|解釋|講解|go through|discuss)\S{0,3}\s?"
            r"(?:下|吓|返|番)?(?:我|my|the|個|嘅|啲|d)?\s?(?:嘅|的)?\s?(?:驗血|驗尿|化驗|blood|lab|test|x-?ray|x光|scan)?\s?"
            r"(?:報告|report|results?|結果)|"
            r"(?:報告|結果|results?)\s?(?:出(?:咗|左|了)?未|到(?:咗)?未|出(?:咗|左)|(?:are |is )?(?:back|ready|out)\b)",
            3,
        ),
        # when an ill child or adult may go back: "出水痘幾時可以返學"
        (
            rf"^(?=.*?{_HEALTH}).*?(?:幾時|幾耐|幾多日)(?:先)?(?:可以|可)?(?:返|番)(?:學|工|幼稚園)|"
            r"when can (?:i|he|she|my \w+) (?:go back to|return to) (?:school|work|nursery)",
            3,
        ),
    ],
    "thanks": [
        # a closing: "bye", "拜拜", "see you tmr"
        (
            r"\bbye\b|bye ?bye|\bbb\b|拜拜|再見|再会|\bsee (?:you|u|ya)\b|\bcya\b|take care|"
            r"\bttyl\b|\bhave a (?:good|nice) (?:day|one|evening|weekend)",
            2,
        ),
        (
            r"唔該|m該|多謝|謝謝|感謝|感激|thank|thx|thnx|thz|tks|thks|\bty\b|\btq\b|\btysm\b|\bthnk|\bthanq\b|"
            r"tyvm|3q|\bmgoi|m goi|\bm gai\b|\bdo ?je\b|\bdor ?je\b|cheers|appreciate|grateful|辛苦(?:晒|哂|你)|"
            r"麻煩(?:晒|哂)",
            2,
        ),
    ],
    "greeting": [
        (
            r"\bhi\b|hello|hey|hiya|\bhalo\b|hallo|hihi|\byo\b|你好(?![靚正叻型似煩衰])|您好|哈囉|嗨|哈佬|早晨|早安|午安|晚安|早啊|(?:早上|上午|下午|晚上)好|"
            r"good (?:morning|afternoon|evening|day)|\bmorning\b|\bdear\b|喂|在嗎|有冇人|"
            r"anyone there|請問|wh?at?s+ ?up|\bsup\b|"
            # romanised Cantonese: "nei ho", "lei ho ah", "ho ma", "jo san"
            r"各位好|大家好|有人(?:嗎|在嗎|喺度嗎|喺度)|\b(?:nei|lei) ?ho\b|\bho ma\b|\b(?:jo|jou|joh) ?san\b|"
            r"\bhel+o\b|\bhell?ow\b|\bhii+\b|\bgd (?:morning|afternoon|evening|day)\b|"
            r"\bmorn\b|\bevening\b|\bafternoon\b",
            1,
        ),
    ],
}
_COMPILED = {
    intent: [(ascii_regex(pattern), weight) for pattern, weight in family] for intent, family in _FAMILIES.items()
}
_CHANGES = ("reschedule_appointment", "cancel_appointment", "queue_status")

# Things no clinic is asked about. They outweigh a weak hit that only came from a shared word:
# "邊度有好嘢食" says 邊度 like an address question, "bitcoin price" says price like a fee one.
_OFF_TOPIC = ascii_regex(
    r"好嘢食|餐廳|飲茶|外賣|食譜|restaurant|recipe|電影|睇戲|movie|天氣|weather|bitcoin|crypto|股票|\bstocks?\b|"
    r"樓價|投資|invest|六合彩|mark six|lottery|(?:買|賣|推銷)保險|保險(?:經紀|代理)|"
    r"sell(?:ing)? insurance|insurance agent|經紀|合作|推銷|partnership|collaborat|"
    r"讀書|拍拖|男朋友|女朋友|結婚未|靚唔靚|靚仔|handsome|訂枱|book (?:a )?table|"
    r"請人|搵工|應徵|招聘|hiring|vacanc|job opening|笑話|\bjokes?\b|唱歌|iphone|"
    r"發錯|傳錯|send錯|wrong (?:number|chat|person|group)|sent to the wrong|"
    r"congratulations|you (?:have |'ve )?won|\bprize|click (?:here|the link|this link|below)|\bwinner|"
    r"\bloans?\b|貸款|借錢|中獎|恭喜(?:你|閣下)?(?:中|獲得|贏)|免費(?:送|領取)|限時優惠|按此|點擊連結"
)
_WEAK = 3.0
# Words that merely mean "please" or "hello": never on their own a request.
_SMALL_TALK = ("thanks", "greeting")

_YES = ascii_regex(
    r"^(?:ok|okay|okie|ok la|ok ar|好|好呀|好啊|好的|係|係呀|得|得呀|可以|冇問題|yes|yep|yeah|y|sure|confirm|"
    r"confirmed|確認|確定|correct|啱|啱呀|沒問題|無問題|👍)(?: (?:唔該|thanks|thx|please|pls))?$"
)
# A bare acknowledgement ("收到", "noted", "👍") carries no request, and no thanks either.
_ACK = ascii_regex(
    r"^(?:ok|okay|okie|okok|ok ok|k|kk|好|好呀|好啊|好的|好嘅|好吖|得|得呀|可以|係|係呀|是的|嗯|嗯嗯|哦|"
    r"收到|收到晒|noted|ok noted|知道|知道了|知道喇|明白|明白了|了解|got it|understood|"
    r"sure|good|great|nice|cool|fine|yes|yep|yeah|no|nope|唔得|冇問題|沒問題|無問題)$"
)
# A message that mainly hands over an identifier: "我身份證號碼係 A123456(7)", "my card 4111 1111 1111 1111".
# It asks nothing (the pipeline masks it and warns the patient); 號碼 there is no queue ticket.
_ID_LABEL = ascii_regex(
    r"身份證|\bhkid\b|\bid\b|identity card|passport|護照|電話|手機|phone|mobile|tel\b|"
    r"信用卡|八達通|octopus|會員|member(?:ship)?|\bcards?\b|卡|戶口|account|保單|policy|號碼|\bnumber\b|\bno\b|"
    r"\b(?:credit|debit|visa|master(?:card)?|amex|exp(?:iry)?|expires?|valid|cvv|cvc)\b|有效期"
)
_ID_FILLER = ascii_regex(
    r"我(?:嘅|的|個|張)?|個|張|嘅|的|係|是|號碼|號|\b(?:my|is|are|here|this|it|the|number|no|nr|num|please|pls)\b|唔該|呢個|:|="
)
_ID_VALUE = ascii_regex(r"(?<![a-z])[a-z]{0,2}\s?\d(?:[\d\s()-]*\d)?(?:\s?\(?[0-9a]\)?)?|\(\s*\)")

_QUEUE_WORD = ascii_regex(r"籌|飛|排|輪|叫|queue|ticket|\bturn\b|到未|未到")


def gives_identifier(norm: str) -> bool:
    """True when the message mainly hands over an ID, card or phone number and asks nothing."""
    if not _ID_LABEL.search(norm) or _QUEUE_WORD.search(norm):
        return False
    values = _ID_VALUE.findall(norm)
    if not any(len(re.sub(r"\D", "", v)) >= 4 or "(" in v for v in values):
        return False
    rest = _ID_VALUE.sub(" ", norm)
    return _leftover(rest, _ID_LABEL, _ID_FILLER) <= 1


_NO = ascii_regex(r"^(?:no|nope|n|唔好|不要|唔要|唔使|算|算啦|算吧|唔得|不用|not now|唔啱)(?: (?:唔該|thanks|thx))?$")


def understand(
    text: str,
    *,
    today: datetime.date,
    doctors: Sequence[str] = (),
    expecting: str | None = None,
) -> Reading:
    """Read a patient's message. Never raises: a message we cannot read is `unknown`."""
    try:
        return _understand(text, today=today, doctors=doctors, expecting=expecting)
    except Exception:  # noqa: BLE001 - a bad message must not stop the conversation
        return Reading(intent="unknown", language="en", confidence=0.0, engine=ENGINE)


def _understand(text: str, *, today: datetime.date, doctors: Sequence[str], expecting: str | None) -> Reading:
    raw = text if isinstance(text, str) else str(text)
    language = detect_language(raw)
    norm = normalise(raw)
    intent, confidence = _intent(norm, expecting)
    screened = confidence >= 0.95

    date = time = part = doctor = None
    if intent not in ("queue_status", "join_queue"):  # "排到25號" is a ticket, not a date
        date = find_date(norm, today=today, expecting=expecting)
    if intent not in ("queue_status",):
        time, part = find_time(norm, expecting=expecting)
    doctor = find_doctor(norm, doctors)

    if intent == "unknown" and (date or time or part or doctor) and _only_when(norm):
        # A bare "聽日下午三點" answers a booking question; "今日天氣好熱" does not.
        intent, confidence = "book_appointment", 0.6 if expecting else 0.5
    acknowledged = intent == "unknown" and (_ACK.match(norm.strip(" ?.!")) or gives_identifier(norm))
    if acknowledged:
        pass  # "收到", "我電話係 9123 4567": nothing for the model to guess at
    elif not screened and intent in _MODEL_MAY_REPLACE and not (expecting == "confirm" and intent != "unknown"):
        intent, confidence = _with_model(norm, intent, confidence)
    return Reading(
        intent=intent,
        language=language,
        date=date.isoformat() if date else None,
        time=time,
        part_of_day=part,
        doctor=doctor,
        confidence=confidence,
        engine=ENGINE,
    )


# --- intent -----------------------------------------------------------------------------

# The statistical fallback (classifier.py) reads what the rules could not. The screen stays
# authoritative; a rule reading stands, except that the model may raise small talk or a
# loose health question to an emergency ("BB三個月大 發燒39度 好冇神" has no screen pattern).
_MODEL_MAY_REPLACE = ("unknown", "medical_question", "greeting", "thanks")
# The model alone raises an emergency only about a body, a danger or an urgency: resemblance
# is not enough to send the 999 text ("front and back", a photo caption, resembles nothing else).
_DANGER = ascii_regex(
    r"血|痛|暈|昏|攰|氣促|氣喘|喘|呼吸|透(?:唔|不)?(?:到)?氣|唞|窒|哽|噎|心口|胸|心臟|心跳|頭|(?:塊|個|成)面|"
    r"面(?:色|青|白|紅|腫|歪|麻|部)|臉|嘴|唇|舌|喉|頸|手|腳|腿|臂|骨|跌|撞|碌|摔|倒|吞|誤|毒|藥|燒|燙|淥|腫|紫|"
    r"發黑|麻|冇力|無力|郁|動|抽|搐|醒|知覺|反應|死|命|自殺|活|救|急|快啲|嬰|bb|孕|電池|電芯|硬幣|鈕|割|𠝹|刀|傷|"
    r"斷|過敏|敏感|跳|震|中風|口歪|講(?:唔|不)到|唔清|軟(?:晒|癱)|唔應|休克|做人|生存|白車|救護車|999|漂白水|"
    r"\b(?:chest|heart|breath\w*|blood|bleed\w*|faint\w*|pass(?:ed|ing)? out|collaps\w*|unconscious|dizz\w*|"
    r"head|face|lips?|tongue|throat|mouth|neck|arms?|legs?|hands?|bones?|pain\w*|hurt\w*|ache|swallow\w*|chok\w*|"
    r"swell\w*|swollen|f[ae]ll|falling|burn\w*|cut|die|dying|dead|death|kill\w*|suicid\w*|end(?:ing)? it|"
    r"end everything|life|live|living|alive|help|urgent|emergency|asap|hurry|ambulance|baby|infant|pregnan\w*|"
    r"fever|poison\w*|overdos\w*|pills?|tablets?|panadol|paracetamol|bleach|detergent|numb|weak|blue|purple|"
    r"seiz\w*|fits?|fitting|shak\w*|wake|awake|moving|bit(?:ten)?|sting|allerg\w*|wheez\w*|gasp\w*)\b"
)


def _with_model(norm: str, intent: str, confidence: float) -> tuple[str, float]:
    guessed = classifier.confident(found := classifier.guess(norm))
    if guessed is None or found is None:
        return intent, confidence
    if guessed == "emergency":
        if not _DANGER.search(norm):
            return intent, confidence
        return "emergency", round(0.6 + 0.3 * found.margin, 2)
    # Only where the rules read nothing; their off-topic veto stands ("recommend a restaurant").
    if intent == "unknown" and not _OFF_TOPIC.search(norm):
        return guessed, 0.55
    return intent, confidence


def _intent(norm: str, expecting: str | None) -> tuple[str, float]:
    if not norm:
        return "unknown", 0.1
    screened = screen_normalised(norm)
    if screened:
        return screened, 0.95
    if gives_identifier(norm):
        return "unknown", 0.25
    if expecting == "confirm":
        bare = norm.strip(" ?.!")
        if _YES.match(bare):
            return "book_appointment", 0.8  # the dialogue knows which action is being confirmed
        if _NO.match(bare):
            return "cancel_appointment", 0.7
    scores = {intent: _score(norm, intent) for intent in _PRIORITY}
    if any(scores[i] for i in _PRIORITY if i not in _SMALL_TALK):
        for small in _SMALL_TALK:
            scores[small] = 0.0
    best = max(_PRIORITY, key=lambda i: (scores[i], -_PRIORITY.index(i)))
    score = scores[best]
    if score <= 0:
        return "unknown", 0.2
    if score <= _WEAK and best in ("clinic_info", "greeting", "book_appointment") and _OFF_TOPIC.search(norm):
        return "unknown", 0.3
    if best == "greeting" and _leftover(norm, _COMPILED["greeting"][0][0], _GREETING_FILLER) > 2:
        return "unknown", 0.3  # "hi can u sell me iphone": a hello around something we cannot read
    # "cancel my appointment" also says "appointment": that is no doubt about the intent.
    rivals = [i for i in scores if i != best and not (i == "book_appointment" and best in _CHANGES)]
    runner_up = max(scores[i] for i in rivals)
    confidence = min(0.9, 0.45 + 0.1 * score) - (0.15 if runner_up >= score else 0.0)
    return best, round(max(confidence, 0.3), 2)


def _score(norm: str, intent: str) -> float:
    # Each pattern counts once; two different families agreeing adds a little confidence.
    hits = [weight for pattern, weight in _COMPILED[intent] if pattern.search(norm)]
    if not hits:
        return 0.0
    return max(hits) + 0.25 * (len(hits) - 1)


_GREETING_FILLER = ascii_regex(
    r"\b(?:there|all|everyone|team|clinic|doctor|dr|you|u|again|is|this|the|miss|nurse|hope|re|well|how|are|doing|today)\b|"
    r"\b(?:sorry|to|bother|excuse|me|po|maam|sir|madam)\b|"
    r"呀|啊|啦|喇|吖|醫生|姑娘|診所|大家|你|您|好|早|晨|哈|打擾(?:晒|哂|你)?|打攪(?:晒|哂)?|請問"
)
_WHEN_FILLER = ascii_regex(
    r"\b(?:ok|okay|pls|please|plz|at|on|the|in|or|and|is|it|fine|can|would|be|good|possible|any|time|day|how|about)\b|"
    r"嚟|來|去|過嚟|\bcome\b|得唔得|可唔可以|可以|得嗎|好唔好|行唔行|有冇|"
    r"嗎|呀|啊|啦|喇|吖|呢|嘅|或者|同|都|左右|前後|之前|之後|唔該|先"
)


def _leftover(norm: str, *patterns: re.Pattern) -> int:
    """How many words (latin) or characters (CJK) remain once `patterns` are taken out."""
    for pattern in patterns:
        norm = pattern.sub(" ", norm)
    return len(re.findall(r"[a-z]+|\d+", norm, flags=re.ASCII)) + len(_CJK.findall(norm))


def _only_when(norm: str) -> bool:
    """True when the message is little more than a date, a time or a doctor."""
    when = [p for p, _ in _RELATIVE] + [p for _, p in _PARTS]
    when += [_CN_WEEKDAY, _EN_WEEKDAY, _CN_MONTH_DAY, _NEXT_MONTH_DAY, _CN_DAY, _ISO, _SLASH]
    when += [_EN_DAY_MONTH, _EN_MONTH_DAY, _EN_ORDINAL, _HHMM, _AMPM, _AT_HOUR, _HALF_PAST, _CN_TIME, _DOCTOR_WORD]
    return _leftover(norm, *when, _WHEN_FILLER) <= 1


# --- language -----------------------------------------------------------------------------

_CJK = ascii_regex(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def detect_language(text: str) -> str:
    """zh-Hant-HK when Chinese is a real part of the message (code-mixing counts), else en."""
    sample = text[:4096]
    return "zh-Hant-HK" if _CJK.search(sample) else "en"


# --- numbers ------------------------------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "両": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = "[零〇一二兩両三四五六七八九十廿卅]+"


def to_int(token: str) -> int | None:
    """Parse "29", "二十九", "廿九", "十", "兩" into an int; None when not a number we know."""
    if token.isdigit():
        return int(token)
    total, current = 0, 0
    for char in token:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char in "十廿卅":
            tens = {"十": 10, "廿": 20, "卅": 30}[char]
            total += (current or 1) * tens if char == "十" else tens
            current = 0
        else:
            return None
    return total + current


# --- dates --------------------------------------------------------------------------------

_WEEKDAY_CN = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_EN = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_MONTH_EN = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_WORD = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"

_RELATIVE = [
    (ascii_regex(r"大後日|大後天"), 3),
    (ascii_regex(r"後日|後天|day after tomorrow|day after tmr"), 2),
    (
        ascii_regex(
            r"聽日|聽朝|聽晚|聽晏|明日|明天|明早|明晚|tomorrow|tmrw?|tmw|tml|tomoro|tomorow|tmro|2moro|2morrow"
        ),
        1,
    ),
    (ascii_regex(r"今日|今天|今朝|今晚|今晏|today|tdy|tonight|this (?:morning|afternoon|evening)"), 0),
]
_CN_WEEKDAY = ascii_regex(r"(下下|下|今|呢|這|本)?(?:個|一個)?(?:禮拜|星期|週|周|礼拜)([一二三四五六日天])")
_EN_WEEKDAY = ascii_regex(
    r"\b(this|next|coming|on|this coming)?\s*\b(mon(?:day)?|tue(?:s|sday)?|wed(?:s|nesday)?|"
    r"thu(?:r|rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b"
)
_CN_MONTH_DAY = ascii_regex(rf"(\d{{1,2}}|{_CN_NUMBER})\s*月\s*(\d{{1,2}}|{_CN_NUMBER})\s*(?:號|日|号)")
_NEXT_MONTH_DAY = ascii_regex(rf"下(?:個)?月\s*(\d{{1,2}}|{_CN_NUMBER})\s*(?:號|日)")
_CN_DAY = ascii_regex(rf"(?<![\d月第幾])(\d{{1,2}}|{_CN_NUMBER})\s*(?:號|号)(?!碼)")
_ISO = ascii_regex(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b")
_SLASH = ascii_regex(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")
_EN_DAY_MONTH = ascii_regex(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s*)?{_MONTH_WORD}(?![a-z])")
_EN_MONTH_DAY = ascii_regex(rf"\b{_MONTH_WORD}\s*(\d{{1,2}})(?:st|nd|rd|th)?\b")
_EN_ORDINAL = ascii_regex(r"\b(?:the\s*)?(\d{1,2})(?:st|nd|rd|th)\b")
_BARE_NUMBER = ascii_regex(rf"^(\d{{1,2}}|{_CN_NUMBER})$")


def find_date(norm: str, *, today: datetime.date, expecting: str | None = None) -> datetime.date | None:
    """The first date the message names, resolved against `today` (HK: day before month)."""
    for finder in (_explicit_date, _relative_date, _weekday_date, _day_of_month):
        found = finder(norm, today)
        if found:
            return found
    if expecting == "day":
        match = _BARE_NUMBER.match(norm.strip(" ?.號日"))
        if match:
            return _next_day_of_month(today, to_int(match.group(1)))
    return None


_WEEK = ascii_regex(
    r"(下下|下)(?:個|一個)?(?:禮拜|星期|週|周|礼拜)(?![一二三四五六日天])|"
    r"\b(?:the )?(week after next)\b|\b(next|following|coming) week\b"
)


def find_week(norm: str, *, today: datetime.date) -> datetime.date | None:
    """The Monday of the week a message names without a day ("下星期", "next week"); None otherwise."""
    match = _WEEK.search(norm)
    if match is None:
        return None
    weeks = 2 if match.group(1) == "下下" or match.group(2) else 1
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks)


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _month_day(today: datetime.date, month: int | None, day: int | None, year: int | None = None):
    """A day and month with no year means the next such date from today."""
    if not month or not day:
        return None
    if year:
        return _safe_date(year if year > 99 else 2000 + year, month, day)
    found = _safe_date(today.year, month, day)
    if found and found < today:
        found = _safe_date(today.year + 1, month, day)
    return found


def _explicit_date(norm: str, today: datetime.date) -> datetime.date | None:
    if match := _ISO.search(norm):
        return _safe_date(*(int(g) for g in match.groups()))
    if match := _CN_MONTH_DAY.search(norm):
        return _month_day(today, to_int(match.group(1)), to_int(match.group(2)))
    if match := _NEXT_MONTH_DAY.search(norm):
        month = today.month % 12 + 1
        year = today.year + (today.month == 12)
        return _safe_date(year, month, to_int(match.group(1)) or 0)
    if match := _SLASH.search(norm):
        day, month, year = match.groups()
        return _month_day(today, int(month), int(day), int(year) if year else None)
    if match := _EN_DAY_MONTH.search(norm):
        return _month_day(today, _MONTH_EN[match.group(2)], int(match.group(1)))
    if match := _EN_MONTH_DAY.search(norm):
        return _month_day(today, _MONTH_EN[match.group(1)], int(match.group(2)))
    return None


def _relative_date(norm: str, today: datetime.date) -> datetime.date | None:
    for pattern, days in _RELATIVE:
        if pattern.search(norm):
            return today + datetime.timedelta(days=days)
    return None


def _weekday_date(norm: str, today: datetime.date) -> datetime.date | None:
    if match := _CN_WEEKDAY.search(norm):
        return _resolve_weekday(today, _WEEKDAY_CN[match.group(2)], match.group(1) or "")
    if match := _EN_WEEKDAY.search(norm):
        word = match.group(2)
        # "sat"/"sun"/"wed"/"mon" are ordinary words too; trust them only after a cue.
        if word in ("sat", "sun", "mon", "wed") and not match.group(1):
            return None
        weekday = _WEEKDAY_EN.get(word) if word in _WEEKDAY_EN else _WEEKDAY_EN[word[:3]]
        return _resolve_weekday(today, weekday, (match.group(1) or "").strip())
    return None


def _resolve_weekday(today: datetime.date, weekday: int, cue: str) -> datetime.date:
    """下禮拜三 / next Wed = that day in next week; 呢個禮拜三 / this Wed = this week's (or the
    coming one if passed); a bare 禮拜三 = the next Wednesday on or after today."""
    monday = today - datetime.timedelta(days=today.weekday())
    if cue in ("下", "next"):
        return monday + datetime.timedelta(days=7 + weekday)
    if cue == "下下":
        return monday + datetime.timedelta(days=14 + weekday)
    ahead = (weekday - today.weekday()) % 7
    return today + datetime.timedelta(days=ahead)


def _day_of_month(norm: str, today: datetime.date) -> datetime.date | None:
    match = _CN_DAY.search(norm) or _EN_ORDINAL.search(norm)
    if not match:
        return None
    return _next_day_of_month(today, to_int(match.group(1)))


def _next_day_of_month(today: datetime.date, day: int | None) -> datetime.date | None:
    """ "29號" = the next 29th on or after today, skipping months without one."""
    if not day or not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(13):
        found = _safe_date(year, month, day)
        if found and found >= today:
            return found
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


# --- times --------------------------------------------------------------------------------

_PARTS = [
    ("morning", ascii_regex(r"朝早|上晝|早上|上午|今朝|聽朝|明早|朝頭早|清早|早晨時段|\bmorning\b|\bam\b|\bmorn\b")),
    ("afternoon", ascii_regex(r"晏晝|下晝|下午|中午|今晏|聽晏|afternoon|\bnoon\b|lunch|\bpm\b")),
    (
        "evening",
        ascii_regex(r"夜晚|晚上|今晚|聽晚|明晚|夜晚|夜間|傍晚|evening|night|tonight|(?<!今)(?<!聽)(?<!明)夜(?!晚)"),
    ),
]
_HHMM = ascii_regex(r"(?<![\d/:])(\d{1,2})[:.](\d{2})\s*(am|pm|a\.m\.|p\.m\.)?(?![\d/])")
_AMPM = ascii_regex(r"(?<![\d/:.])(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)(?![a-z])|\b(\d{1,2})\s*o'?clock")
_AT_HOUR = ascii_regex(r"\bat\s*(\d{1,2})(?![\d:/.])(?!\s*(?:號|日|st|nd|rd|th))")
_HALF_PAST = ascii_regex(r"half past (\d{1,2})|(\d{1,2}) ?(?:and a half)")
_CN_TIME = ascii_regex(
    rf"(\d{{1,2}}|{_CN_NUMBER})\s*(?:點|点|時|:)(?:鐘)?\s*"
    rf"(半|正|幾|(\d{{1,2}}|{_CN_NUMBER})\s*(個字|分)?)?"
)


def find_time(norm: str, *, expecting: str | None = None) -> tuple[str | None, str | None]:
    """("HH:MM" or None, part of day or None). Bare 1-7 o'clock means pm: clinics open then."""
    part = next((name for name, pattern in _PARTS if pattern.search(norm)), None)
    hour, minute, vague = _clock(norm, expecting)
    if hour is None:
        return None, part
    if part in ("afternoon", "evening") and hour < 12:
        hour += 12
    elif part is None and 1 <= hour <= 7:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None, part
    part = part or ("morning" if hour < 12 else "afternoon" if hour < 18 else "evening")
    return (None if vague else f"{hour:02d}:{minute:02d}"), part


def _clock(norm: str, expecting: str | None) -> tuple[int | None, int, bool]:
    """Hour (12-hour or 24-hour as written), minute, and whether it was vague ("兩點幾")."""
    if match := _HHMM.search(norm):
        return _with_meridiem(int(match.group(1)), match.group(3)), int(match.group(2)), False
    if match := _AMPM.search(norm):
        if match.group(3):
            return int(match.group(3)), 0, False
        return _with_meridiem(int(match.group(1)), match.group(2)), 0, False
    if match := _HALF_PAST.search(norm):
        return int(match.group(1) or match.group(2)), 30, False
    if match := _CN_TIME.search(norm):
        hour = to_int(match.group(1))
        if hour is None:
            return None, 0, False
        tail, number, unit = match.group(2), match.group(3), match.group(4)
        if tail == "半":
            return hour, 30, False
        if tail == "幾":
            return hour, 0, True
        if number:
            value = to_int(number) or 0
            # Cantonese counts minutes in 5-minute "字": 三點三 = 3:15, 三點十五 = 3:15.
            if unit == "個字" or (unit is None and value <= 11):
                return hour, value * 5, False
            return hour, value, False
        return hour, 0, False
    if match := _AT_HOUR.search(norm):
        return int(match.group(1)), 0, False
    if expecting == "time" and (match := _BARE_NUMBER.match(norm.strip(" ?."))):
        return to_int(match.group(1)), 0, False
    return None, 0, False


def _with_meridiem(hour: int, meridiem: str | None) -> int:
    if not meridiem:
        return hour
    if meridiem.startswith("p") and hour < 12:
        return hour + 12
    if meridiem.startswith("a") and hour == 12:
        return 0
    return hour


# --- doctors ------------------------------------------------------------------------------

_COMPOUND_SURNAMES = ("歐陽", "司徒", "上官", "諸葛", "司馬", "鍾離", "慕容", "公孫", "皇甫", "東方")
_DOCTOR_WORD = ascii_regex(r"\b(?:dr|doctor|doc)\b\.?\s*[a-z]*|[\u4e00-\u9fff]{1,3}醫生")
_TITLES = {"dr", "dr.", "doctor", "prof", "prof.", "professor", "mr", "ms", "mrs", "miss"}


def find_doctor(norm: str, doctors: Sequence[str]) -> str | None:
    """The display name of the one listed doctor the message names ("dr chan", "陳醫生")."""
    if not doctors:
        return None
    strong, weak = [], []
    for name in doctors:
        kind = _names_doctor(norm, name)
        if kind == "full":
            strong.append(name)
        elif kind == "surname":
            weak.append(name)
    for found in (strong, weak):
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None  # two doctors share a surname: let the dialogue ask
    return None


def _names_doctor(norm: str, display_name: str) -> str | None:
    name = normalise(display_name)
    chinese = "".join(_CJK.findall(name)).replace("醫生", "")
    latin = [w for w in re.findall(r"[a-z]+", name) if w not in _TITLES]
    if chinese and len(chinese) >= 2 and chinese in norm:
        return "full"
    if len(latin) >= 2 and re.search(r"\b" + r"\s*".join(latin) + r"\b", norm, flags=re.ASCII):
        return "full"
    if chinese:
        surname = next((s for s in _COMPOUND_SURNAMES if chinese.startswith(s)), chinese[0])
        given = chinese[len(surname) :]
        if re.search(f"{surname}(?:醫生|醫師|doctor|dr|教授)", norm, flags=re.ASCII):
            return "surname"
        if given and re.search(f"{given}醫生", norm, flags=re.ASCII):
            return "full"
    for word in latin:
        if re.search(rf"\b(?:dr\.?|doctor|doc)\s*{word}\b|\b{word}\s*(?:doctor|dr\b|醫生)", norm, flags=re.ASCII):
            return "surname"
    return None
