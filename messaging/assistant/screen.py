"""The deterministic screen that runs before any model.

Opt-out/opt-in keywords are a legal matter (Meta's policy, PDPO) and emergencies must
never depend on a model being up, so these are plain patterns, checked in this order:
emergency, opt_out, opt_in, talk_to_staff, medical_question.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# ASCII \b and \w: a boundary between Chinese and English ("聽日morning") is a word boundary.
ascii_regex = functools.partial(re.compile, flags=re.ASCII)

# Common simplified characters patients type, mapped to the traditional ones our patterns use.
_SIMPLIFIED = str.maketrans(
    "预约医号时间点几钱诊门们个请谢过还这么订阅开给话电员护药发烧验报检资删对应该见队轮后礼营业费险问题晕杀轻咙肿边说语经续继务复吗办帮结头伤疗为种样剂处关闭钟价认确别讯条让现实专转难气脏压风觉没动识严断会岁补证书纸吃爱儿妈爷孙约约脑痴痒疮疯厉时医隐辈怎么据挂场内体宝术针来诉讲谈线网车铁区单码卫饭饮泻呕热紧无谁换迟历记录态负责联络议币带",
    "預約醫號時間點幾錢診門們個請謝過還這麼訂閱開給話電員護藥發燒驗報檢資刪對應該見隊輪後禮營業費險問題暈殺輕嚨腫邊說語經續繼務復嗎辦幫結頭傷療為種樣劑處關閉鐘價認確別訊條讓現實專轉難氣臟壓風覺沒動識嚴斷會歲補證書紙食愛兒媽爺孫約約腦癡癢瘡瘋厲時醫隱輩怎麼據掛場內體寶術針來訴講談線網車鐵區單碼衛飯飲瀉嘔熱緊無誰換遲歷記錄態負責聯絡議幣帶",
)
_KEEP_PUNCT = set(":/.?-+'()")
_REPEATS = ascii_regex(r"([a-z])\1{2,}")
_SPACES = ascii_regex(r"\s+")


# Romanised Cantonese as patients type it ("m goi", "ngo seung tai yi sang tmr"), with the characters our
# patterns read. Longer phrases first; words that are also English ("dim", "wan", "lei") only in phrases.
_ROMAN = {
    "m goi sai": "唔該晒", "mm goi sai": "唔該晒", "m goi": "唔該", "mm goi": "唔該", "mgoi": "唔該",
    "do je": "多謝", "dor je": "多謝", "ngo dei": "我哋", "ngo dee": "我哋", "nei dei": "你哋",
    "lei dei": "你哋", "nei dee": "你哋", "ngo": "我", "ngoh": "我", "nei": "你", "seung sei": "想死",
    "seung": "想", "sheung": "想", "yiu m yiu": "要唔要", "sai m sai": "使唔使", "dak m dak": "得唔得",
    "dak mm dak": "得唔得", "ho m ho yi": "可唔可以", "hor m hor yi": "可唔可以", "ho yi": "可以",
    "hor yi": "可以", "hai mai": "係咪", "hai m hai": "係唔係", "yiu": "要", "tai yi sang": "睇醫生",
    "tai yee sang": "睇醫生", "tai sang": "睇醫生", "yi sang": "醫生", "yee sang": "醫生", "sik yeuk": "食藥",
    "sik yuek": "食藥", "yuek": "約", "yeuk": "約", "sik": "食", "yau mo wai": "有冇位",
    "yau mou wai": "有冇位", "yau mo": "有冇", "yau mou": "有冇", "mo wai": "冇位", "gei dim": "幾點",
    "gei si dou": "幾時到", "gei si": "幾時", "gei noi": "幾耐", "gei do chin": "幾多錢",
    "gei dor chin": "幾多錢", "gei chin": "幾錢", "gei do": "幾多", "gei dor": "幾多", "dou ngo": "到我",
    "dou mei": "到未", "hoi mun": "開門", "san mun": "閂門", "saan mun": "閂門", "dim yeung": "點樣",
    "dim heoi": "點去", "heoi": "去", "hui": "去", "hai bin dou": "喺邊度", "bin dou": "邊度",
    "tau tung": "頭痛", "tou tung": "肚痛", "hau lung tung": "喉嚨痛", "fat siu": "發燒",
    "sum hau tung": "心口痛", "sam hau tung": "心口痛", "tau m dou hei": "透唔到氣",
    "tau mm dou hei": "透唔到氣", "gai kei": "改期", "gai si gaan": "改時間", "jor": "咗", "joh": "咗",
    "lo chau": "攞籌", "lor chau": "攞籌", "lo hou": "攞號", "pai dui": "排隊", "m sai": "唔使", "m ho": "唔好",
    "m yiu": "唔要", "joi": "再", "jan yan": "真人", "wan yan": "搵人", "wan gu leung": "搵姑娘",
    "wan jik yuen": "搵職員", "wan yi sang": "搵醫生", "gu leung": "姑娘", "goo leung": "姑娘",
    "ku leung": "姑娘", "jik yuen": "職員", "ting yat": "聽日", "ting yut": "聽日", "gam yat": "今日",
    "hau yat": "後日", "ha jau": "下晝", "ha zau": "下晝", "jiu jo": "朝早", "ye maan": "夜晚", "yi ga": "而家",
    "yi gaa": "而家", "ji gaa": "而家", "lai": "嚟", "bei": "俾", "ge": "嘅",
}  # fmt: skip
_ROMAN_WORDS = ascii_regex(r"\b(?:" + "|".join(sorted(map(re.escape, _ROMAN), key=len, reverse=True)) + r")\b")
_SPACE_IN_CJK = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


def _romanised(text: str) -> str:
    """Text with romanised Cantonese in characters, when at least two such words say it is romanised."""
    if len(set(_ROMAN_WORDS.findall(text))) < 2:
        return text
    return _SPACE_IN_CJK.sub("", _ROMAN_WORDS.sub(lambda m: _ROMAN[m.group(0)], text))


def normalise(text: str) -> str:
    """Lower-case, half-width, traditional-ish text with emoji and noise turned into spaces."""
    text = unicodedata.normalize("NFKC", text[:4096]).lower().translate(_SIMPLIFIED)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LN" or char in _KEEP_PUNCT:
            kept.append(char)
        else:
            kept.append(" ")  # emoji, symbols, controls, other punctuation
    text = _REPEATS.sub(r"\1", "".join(kept))  # "pleaseeee" -> "please"
    return _romanised(_SPACES.sub(" ", text).strip())


def _any(patterns: list[str]) -> re.Pattern:
    return ascii_regex("|".join(f"(?:{p})" for p in patterns))


# A match preceded by one of these (e.g. "冇心口痛", "no chest pain") does not count.
_NEGATION = ascii_regex(r"(?:冇|無|沒有|沒|唔係|不是|not|no|without|never)\s*$")

# Suicidal and self-harm statements: emergencies, answered with the crisis hotlines as well as 999.
_SELF_HARM = [
    r"想死|自殺|唔想(?:再)?(?:活|生存|做人)|不想(?:再)?活|輕生|燒炭|開煤氣|"
    r"了結(?:自己|生命)|結束(?:自己|生命)|𠝹手|鎅手|割脈|跳樓",
    # "活著冇意思", "活唔落去", "生無可戀": no reason left to live
    r"活(?:著|住|落去|下去)?(?:都)?(?:冇|沒有|沒|無)(?:咩)?(?:意思|意義|希望)|活(?:唔|不)(?:落|下)去|生無可戀|"
    r"自我了斷|(?:離開|告別)(?:呢個|這個)世界|死(?:咗|了)(?:佢)?(?:就)?算|(?:冇|沒有|無)(?:理由|意義)(?:再)?(?:活|生存)",
    r"kill(?:ing)? my ?self|end(?:ing)? my (?:own )?life|suicid|want to die|don'?t want to (?:live|be alive)",
    r"\bend (?:it all|everything|things)\b|no (?:point|reason|use) (?:in )?(?:living|to live|going on|being alive)|"
    r"(?:life|living) (?:is )?(?:not|n'?t) worth|not worth living|better off dead|"
    r"(?:don'?t|do not) want to (?:wake up|exist|be here any ?more)|"
    r"can'?t go on(?: like this| any ?more| living|$)|take my (?:own )?life|hang myself|"
    r"(?:been|keep|kept) cutting myself|cut(?:ting)? myself (?:on purpose|again|deliberately)|"
    r"jump off (?:the|a) (?:building|roof|bridge)",
    r"self ?harm|hurt(?:ing)? myself",
]

_SELF_HARM_PATTERN = _any(_SELF_HARM)
_EMERGENCY = _any(
    [
        # chest pain
        r"(?:心口|胸口|胸部|胸)(?:好|勁|非常|十分|很|有啲|有點|突然|一陣陣|又|劇)?(?:痛|翳|悶|壓住|絞)",
        r"心絞痛|心臟病發|心臟病發作",
        r"chest\s*(?:pain|pains|hurts?|is hurting|tight|tightness|pressure)|heart attack",
        r"pain in (?:my|his|her) chest",
        # breathing
        r"(?:唞|抖|透|吸|喘|上)(?:唔|不)(?:到|切|順|過|上)氣|"
        r"呼吸(?:好|很|非常|十分|有啲|有點)?困難|呼吸唔到|窒息|無法呼吸|不能呼吸|"
        r"(?:唔|不|冇|無法|難以)(?:識)?(?:透|唞|抖)(?:到)?氣|(?:唔|冇)(?:識)?呼吸|"
        r"唔可以呼吸",
        r"(?:can'?t|cannot|can not|unable to|could ?n'?t|hard to|struggling to) breathe?",
        r"(?:difficulty|trouble|problem) breathing|short(?:ness)? of breath|not breathing|choking",
        # stroke signs
        r"中(?:咗|左|了)?風|半邊(?:身|面|臉)?(?:好)?(?:麻|冇力|無力|郁唔到|動唔到)|"
        r"半身(?:麻|不遂)|口歪|面歪|嘴歪|講(?:唔|不)(?:到|出)(?:嘢|話)",
        r"講(?:嘢|野|說話)?(?:好)?(?:含糊|唔清楚|黐脷|唔清)|說話含糊|言語不清|口齒不清",
        r"\bstroke\b|face\s*(?:is\s*)?droop|drooping face|slurr?ed (?:speech|words)|slurring",
        r"one side of (?:my|his|her|the) (?:body|face)",
        # (not when the voice itself is the complaint: "can't talk properly, sore throat")
        r"^(?!.*?(?:throat|voice|laryng)).*?(?:can'?t|cannot|unable to) (?:speak|talk) (?:properly|clearly|normally)|"
        r"(?:arm|leg|hand|face) (?:is |went |goes |suddenly )?(?:weak|numb|limp|drooping)",
        # heavy bleeding
        r"大量出血|大出血|流(?:好|很|勁)多血|血流不止|流血不止|止(?:唔|不)到血|"
        r"血(?:止|停)(?:唔|不)(?:到|住)|止唔住血|吐血|嘔血|咳血|噴血",
        r"(?:heavy|heavily|severe|lots of|a lot of|massive) ?bleed|"
        r"bleeding (?:heavily|a lot|badly|won'?t stop|non ?stop)",
        r"(?:won'?t|can'?t|cannot|doesn'?t) stop bleeding|(?:vomiting|coughing up|throwing up) blood",
        # "流血流唔停", "血流唔停", "出血止唔住": bleeding described as not stopping
        r"(?:流|出)血.{0,4}(?:唔|不)(?:停|止)|血流(?:唔|不)(?:停|止)|血(?:不停|唔停|一直|不斷|止唔到)(?:咁)?(?:流|出|噴)|"
        r"(?:好多|大量|勁多|成地)血|割(?:到|傷|親)(?:好|勁)?深|deep cut|blood everywhere|so much blood",
        # (a heavy period or bleeding gums is a question for the doctor, not an ambulance)
        r"^(?!.*?(?:月經|經期|例假|period|menstru|牙|gum)).*?(?:(?:出血|流血)(?:好|勁|非常|很|極)多|"
        r"(?:bleeding|blood) (?:so much|lots))",
        # bleeding or severe pain in pregnancy: "懷孕七個月 出血", "pregnant and bleeding"
        r"(?:懷孕|有咗|孕婦|大肚|pregnan).{0,15}(?:出血|流血|見紅|\bbleed)|(?:出血|流血|\bbleed\w*).{0,15}(?:懷孕|有咗|pregnan)",
        # a young baby with fever, a floppy or listless child: "BB三個月大 發燒", "newborn fever"
        r"(?:bb|嬰兒|baby|初生|newborn).{0,4}(?:(?:[一二兩三]|[1-3]) ?(?:個月|months?|mths?)|"
        r"\d{1,2} ?(?:星期|weeks?|wks?|日|days?)|[一二三四五六七八九十]{1,2}(?:個星期|日))(?:大|old)?.{0,14}"
        r"(?:發燒|發熱|fever|燒到|3[89](?:\.\d)? ?度)|(?:newborn|初生).{0,15}(?:fever|發燒)",
        r"(?:bb|嬰兒|baby|小朋友|小孩|個仔|個女|囡囡|仔仔|女女|child|kid|toddler|son|daughter).{0,20}"
        r"(?:好冇神|冇晒神|冇晒精神|軟晒|軟癱|floppy|lethargic|very drowsy|叫極都唔應)",
        # the worst headache of one's life, the classic sign of a bleed in the brain
        r"頭.{0,12}(?:這輩子|呢世|一世|一生|人生|有生以來).{0,6}最痛|(?:這輩子|呢世|一世|一生|人生|有生以來).{0,6}最痛.{0,4}頭|"
        r"worst (?:headache|head pain) (?:of my life|ever)|"
        r"(?:sudden|突然).{0,6}(?:severe|劇烈|極度|好劇烈|勁).{0,4}(?:headache|頭痛)",
        # head injuries and falls the person cannot get up from (elderly, children)
        r"頭(?:部)?(?:爆|穿|裂)|頭(?:部)?(?:撞|跌|碰)(?:親|傷|到|咗)|(?:撞|跌|碰)(?:親|傷|到|咗)(?:個)?頭.{0,8}(?:血|暈|嘔|唔醒)|頭(?:好)?(?:多)?(?:流血|出血)",
        r"起(?:唔|不)(?:到|返)身|(?:fell|fallen|fall)\b.{0,20}(?:can'?t|cannot|unable to) (?:get|stand) up|"
        r"head injury|hit (?:his|her|my|their) head|"
        r"(?:blood|bleeding) (?:on|from) (?:his|her|my|the) head|head (?:is )?bleeding",
        # fractures and dislocations ("隻手好似斷咗", "骨凸出嚟", "broken arm")
        r"(?:手|腳|骨|腿|臂|腕|踭|膊頭|盤骨|鎖骨)(?:好似|可能|應該|都)?(?:斷|折|甩骹|甩較)(?:咗|左|了|晒)|"
        # a hedged "係咪骨折" is a question for the doctor; a stated 骨折 is an emergency
        r"(?<!係咪)(?<!係唔係)(?<!會唔會)(?<!是不是)(?<!是否)骨折|甩骹|脫臼|"
        r"骨(?:頭)?.{0,2}(?:凸|露|穿)(?:咗|左)?出(?:嚟|來)",
        r"broken (?:arm|leg|bone|wrist|ankle|hip|neck)|fractur|dislocat|bone (?:is )?(?:sticking|poking) out",
        # burns and scalds, and shock of any cause
        r"淥(?:親|傷|到|咗|左)|燙傷|燒傷|燒親|灼傷|著火|scald|\bburn(?:t|ed|s)?\b.{0,15}(?:badly|severe|blister|skin)|"
        r"(?:severe|bad(?:ly)?|serious) burns?",
        r"遇溺|溺水|drown|電親|觸電|electrocut|車禍|撞車|俾車撞|被車撞|hit by a (?:car|bus|taxi)|car accident|"
        r"俾人斬|被斬|刀傷|插親|stab|中暑|heat ?stroke|冇(?:咗)?(?:呼吸|脈搏|心跳)|no pulse|"
        r"(?:化學品|漂白水|清潔劑).{0,6}(?:入|濺)(?:咗)?(?:眼|口)|chemical in (?:my|his|her) eye|epipen",
        r"休克|\bshock\b|(?:嘴唇|嘴|面|塊面|成個人|手指|皮膚).{0,2}(?:發)?(?:紫|藍)(?:咗|左|晒|埋|色)|"
        r"turn(?:ing|ed)? (?:blue|purple)",
        # unconscious / seizure
        r"(?<!頭)(?:暈|昏)(?:咗|左|了)過去|(?<!頭)(?:暈|昏)過去(?![幾一兩三四五六七八九十\d嘅的個星禮週月年日])|"
        r"(?:沒有|沒|無)(?:了)?(?:呼吸|脈搏|心跳)(?!困難|問題|急促|道|機|加速|過快|聲)|叫(?:佢|極)(?:都)?(?:唔|冇)(?:應|反應)|"
        r"(?<!頭)暈(?:咗|低|倒|厥|左)|昏迷|昏倒|(?:叫)?唔醒|冇知覺|失去知覺|(?:冇|無|失)(?:咗|左|晒|了)(?:知覺|反應|呼吸)|不省人事|冇晒反應|冇反應",
        r"unconscious|passed out|fainted|unresponsive|not responding|won'?t wake up|collapsed",
        r"(?:not|isn'?t|won'?t|can'?t|cannot|doesn'?t|didn'?t) (?:waking|wake) ?up|not moving|can'?t move|"
        r"(?:唔識|唔會|唔|冇)(?:郁|動)(?:喇|啦|了)?|郁(?:唔|不)(?:到|到身)|動(?:唔|不)到|"
        r"救命|\bsos\b|^(?:please )?help(?: me| us)?(?: please| pls)?$",
        r"(?:哮喘|氣喘|asthma)(?:病)?(?:發作|attack)|(?:噴|用)(?:咗|左)?(?:藥|泵)都(?:冇用|唔得|唔停)|"
        r"inhaler (?:is )?(?:not working|doesn'?t help|not helping)",
        r"(?<![腳腿])抽筋|發羊吊|癲癇|抽搐|seizure|convuls|fitting",
        *_SELF_HARM,
        # severe allergic reaction, poisoning, ambulance
        r"過敏(?:性)?休克|anaphyla",
        r"(?:過敏|敏感|allerg).{0,20}(?:喉嚨|喉|氣管|嘴唇|舌頭|塊面|面)(?:好)?(?:腫|緊|收窄)",
        r"(?:喉嚨|喉|氣管|嘴唇|舌頭)(?:好)?(?:腫|收窄).{0,20}(?:過敏|敏感)",
        r"(?:allerg).{0,30}(?:throat|lips?|tongue|face).{0,10}(?:swell|swollen|closing|tight)",
        r"(?:throat|tongue) (?:is )?(?:swelling|swollen|closing)",
        # overdoses: "食錯咗成排藥", "吞咗半樽安眠藥", "誤服"
        r"(?:食|吞|飲)(?:錯|多|落)?(?:咗|左)?(?:成|好多|幾|半|一)(?:樽|排|盒|板|打)|"
        r"(?:成|好多|幾|半)(?:樽|排|盒|板)(?:\S{0,4})?藥|食過量|過量|overdos|食錯(?:咗|左)?藥|誤(?:食|服|飲)|"
        r"飲(?:咗)?漂白水|poison|(?:煤氣|一氧化碳|農藥|藥物|酒精)中毒",
        r"(?:swallow(?:ed)?|drank|drink|drunk|ate|eaten) .{0,20}"
        r"(?:bleach|detergent|batter|poison|pills|tablets|chemical|magnet|coin|button|toy|kerosene|pesticide)|"
        # a count of pills no dose is made of: "I took 20 panadol", "食咗30粒安眠藥"
        r"\b(?:took|taken|take|ate|swallowed|had)\b.{0,8}"
        r"\b(?:[1-9]\d|a dozen|dozens of|twenty|thirty|forty|fifty)\b.{0,12}"
        r"(?:pills|tablets|panadol|paracetamol|sleeping|capsules|medicine)|"
        r"(?:食|吞)(?:咗|左|了)?\s?(?:[1-9]\d|[二三四五]十)\s?(?:幾)?粒",
        r"(?:too many|a lot of|lots of|whole (?:bottle|box|pack) of|handful of) "
        r"(?:pills|tablets|sleeping|medicine|panadol)|"
        r"(?:好多|大量|幾十|成)(?:粒|樽|排|盒|板|包)?\S{0,4}(?:藥|丸)|"
        r"(?:吞|食|飲|誤食|誤吞)(?:咗|左|了|落)?(?:粒|個|啲|枚)?(?:電芯|電池|磁石|硬幣|漂白水|清潔劑|洗潔精|殺蟲水|"
        r"火水|藥丸|樟腦|battery|batteries|magnet|coin|bleach|detergent)|"
        r"白車|救護車|ambulance|call 999|打999|\b999\b",
    ]
)

_OPT_OUT_EXACT = ascii_regex(
    r"^(?:(?:please|pls|plz) )?(?:stop|stop all|stopp|unsubscribe|opt out|optout|停止|停|取消|退訂|退出|"
    r"取消訂閱|停止訂閱|唔好再send|唔好再發|end|quit)"
    r"(?: (?:please|pls|plz|now|all|it|thanks|thx|thank you|唔該))*$"
)
_OPT_OUT = _any(
    [
        r"unsubscri|unsubcribe|opt[ -]?out",
        r"取消訂閱|退訂|停止訂閱|取消(?:接收|所有)?(?:whatsapp|wts|sms|短訊|推廣)?(?:通知|提醒|訊息|信息|短訊)",
        r"(?:don'?t|do not|no longer|not) (?:wish|want|like) to (?:receive|get|hear)",
        r"停止(?:所有|全部)?(?:接收|發送|send|傳送|通知|提醒|訊息|信息|短訊|whatsapp|聯絡|推送|推播|推廣)",
        r"(?:唔好|不要|别|別|咪)再(?:send|發|傳|whatsapp|wts|msg|message|sms|打俾|提我|提醒|搵我|聯絡|煩)",
        r"唔想再(?:收|接收|聽)|不想再(?:收|接收)|唔使再(?:send|發|提醒|通知)",
        # "唔要提醒喇", "不用通知我", "唔需要再收推廣": refusing a kind of message
        r"(?<!要)(?:唔要|唔想要|不要|唔使|唔洗|不用|唔需要|不需要)(?:再)?(?:收)?(?:啲|任何)?"
        r"(?:提醒|提示|通知|推廣|廣告|宣傳|短訊|訊息|信息)",
        r"stop (?:all |the |your |these |those |any |ur )?(?:sending|messaging|texting|reminding|contacting|"
        r"whatsapping|reminders?|notifications?|msgs?|messages?|spam|texts?|updates?|promotions?|marketing)",
        r"(?:don'?t|do not|never) (?:send|message|text|whatsapp|contact|msg) me",
        r"stop (?:receiving|getting) (?:the |your |these |any |all |those )?(?:whatsapp |wts |sms |text )?"
        r"(?:messages?|msgs?|reminders?|notifications?|texts?|updates?|whatsapps?|promotions?)",
        r"\b(?:want|need|make|let|please|pls) (?:the |these |your |all |those )?"
        r"(?:reminders?|messages?|msgs?|notifications?|texts?|whatsapps?) (?:to )?stop\b",
        r"no more (?:messages?|msgs?|reminders?|notifications?|texts?|updates?|promos?)|remove me from|\bunsub\b",
        r"(?:唔想|不想|唔要)(?:再)?收(?:到)?(?:呢啲|啲|你哋(?:嘅)?|任何)?(?:訊息|信息|短訊|提醒|通知|推廣|廣告|whatsapp)",
        r"(?:don'?t|do not|no longer) want (?:to (?:get|receive) )?(?:these |any |your |the |more )?"
        r"(?:appointment |appt )?(?:messages|msgs|reminders|notifications|texts|updates|promotions|marketing)",
        r"take me off|leave me alone|stop spamming|spam me|唔好再煩|咪再煩|別再煩|"
        r"(?:停止|取消)(?:所有)?(?:推廣|宣傳|廣告)",
    ]
)
_OPT_IN_EXACT = ascii_regex(
    r"^(?:(?:please|pls|plz) )?(?:start|unstop|subscribe|resubscribe|resume|opt in|optin|開始|重新訂閱|訂閱|恢復)"
    r"(?: (?:please|pls|plz|again|thanks|唔該))*$"
)
_OPT_IN = _any(
    [
        r"resubscri|re-subscri|opt[ -]?in\b",
        r"(?:重新|開始|恢復)(?:開始)?(?:訂閱|接收|收|提醒|通知)|"
        r"(?:reminders?|messages?|notifications?) again|"
        r"恢復(?:接收|提醒|通知|訊息|send|發送)",
        r"(?:turn|switch) (?:the |my |your )?(?:reminders?|notifications?|messages?|alerts?) (?:back )?on|"
        r"(?:resume|restart|turn on|start|continue)(?: sending)?(?: me)?(?: the| my)?"
        r"(?: appointment| appt| booking| whatsapp| sms| follow-up)? "
        r"(?:reminders?|messages?|notifications?|msgs?)",
        r"start (?:sending|messaging|texting) (?:me )?again|send me (?:reminders?|messages?) again",
        r"(?:再|繼續|重新)(?:send|發|傳|提醒|通知)(?:返)?.{0,6}(?:俾|畀|比|給)我",
        r"(?:想|要)(?:再|繼續|重新)?(?:接)?收(?:到|返)?.{0,4}(?:提醒|通知|訊息|消息|whatsapp|reminder)",
        r"(?<!取消)(?<!停止)(?<!唔要)訂閱|(?<!un)(?<!un-)subscri",
        # "我之前按咗stop 而家想收返": undoing an earlier STOP
        r"(?:按|打|send|撳|揀)(?:咗|左|了)\s*stop.{0,12}(?:收返|收番|恢復|重新|again|back)",
        r"(?:取消|停止|退訂|停|unsubscribed|stopped|opted out)(?:咗|左|了)?.{0,4}"
        r"(?:通知|提醒|訊息|提示|whatsapp|reminders?|messages?)?"
        r".{0,14}(?:開返|開番|重開|再開|收返|收番|恢復|重新(?:開|收)|想再收|turn (?:it |them )?back on|again)",
        # "可以再whatsapp通知我嗎", "繼續提醒我", "開返個提示"
        r"(?:再|繼續|重新|恢復)(?:用)?(?:whatsapp|wts|sms|短訊|send|發)?(?:提醒|通知|send|發|傳)(?:返)?(?:俾|畀|比|給)?我",
        r"(?:開返|開番|重開|打開|開啟|開著|開住)(?:個|啲|晒)?(?:提示|提醒|通知|訊息|whatsapp)",
        r"(?:want|like|wish|happy) to (?:receive|get|hear)\b.{0,20}"
        r"(?:updates|reminders|messages|notifications|news|offers)|"
        r"keep me (?:updated|posted|informed)|sign me (?:up|back up)|subscribe me",
        r"\b(?:i|we) (?:want|would like|'d like|need) (?:to (?:get|receive) )?(?:the |my |your )?"
        r"(?:appointment |appt |booking )?(?:reminders?|notifications?)\b(?! (?:to )?stop)",
    ]
)

_STAFF = _any(
    [
        r"真人|接線生|人工客服|人工服務|客服|real person|real human|\bhuman\b|live agent|\bagent\b|operator",
        # a complaint, or whoever is in charge, always goes to a person
        r"投訴|complain",
        r"(?:搵|叫|同|找|見|轉|要|聯絡|speak to|talk to|let me|want|get|call)(?: the| your)?\s*(?:你哋|你地)?"
        r"(?:嘅)?(?:老闆|經理|負責人|主管|manager|supervisor|person in charge|owner)",
        # "請聯絡我", "麻煩盡快回覆我", "please contact me"
        r"(?:請|唔該|麻煩|可唔可以|可否|please|pls|plz)\s*(?:你哋|你地)?(?:盡快)?(?:聯絡|聯繫|致電|回覆|回電|contact|call|phone)\s*(?:我|me)",
        r"(?:搵|轉|叫|找|聯絡|聯繫|問|要|轉接|接駁|轉駁)(?:下|吓)?(?:去|到|俾|畀)?(?:個|一個|你哋|你地|診所)?"
        r"(?:職員|姑娘|護士|接待|前台|人|staff)",
        # somebody picking up the phone ("有冇人可以直接聽電話", "點解冇人接電話")
        r"(?:聽|接)(?:下|吓)?(?:個)?電話|(?<!有)冇人(?:聽|接|覆|回|理|應)|"
        r"(?:no ?one|nobody) (?:answers|answered|picks up|picked up|replies|replied|is answering)",
        r"(?:職員|姑娘|護士|醫生|人)(?:可以|盡快|稍後)?(?:聯絡|聯繫|打(?:電話)?(?:俾|畀)|call|contact|答|覆|回覆|幫|聽)我",
        r"(?:someone|somebody|staff|nurse|a person) (?:to )?(?:contact|call|phone|reach|get back to) me|"
        r"(?:contact|get back to) me",
        r"(?:同|跟|和)(?:職員|姑娘|護士|[\u4e00-\u9fff]{0,3}醫生|你哋|人|真人|staff|nurse|doctor|dr)(?:直接|親自|當面|單獨)?"
        r"(?:講|傾|談|溝通|聊|通話|對話|交談)",
        r"打(?:個)?(?:電話)?(?:俾|畀|比|給)我|打返(?:俾|畀|比)?我|"
        r"覆(?:返)?我電話|回電|call (?:me|back)|phone me|"
        r"ring me",
        r"(?:speak|talk|chat|connect|transfer)(?: me)? (?:to|with) (?:a |an |the |your |some )?"
        r"(?:staff|person|someone|somebody|human|nurse|receptionist|doctor|people|real|clinic)",
        r"\b(?:staff|receptionist|nurse) (?:please|pls|plz)\b|need (?:a |to talk to a )?(?:human|person|staff)",
        r"^(?:姑娘|職員|護士|staff|receptionist|nurse|真人)(?: ?(?:please|pls|唔該))?$",
        # "ask the nurse to whatsapp me", "叫醫生覆我", "唔想同機械人講"
        r"(?:ask|get|have) (?:the |a |your )?(?:nurse|doctor|dr|staff|receptionist|someone|somebody) to "
        r"(?:call|contact|whatsapp|message|msg|reply|ring|phone)",
        r"(?:唔想|唔要|不要|不想|don'?t want|\bno\b).{0,8}(?:機械人|機器人|\bbot\b|robot|自動回覆|auto ?reply)|"
        r"(?:機械人|機器人|\bbot\b|robot).{0,8}(?:唔明|聽唔明|不明白|useless|冇用|doesn'?t understand)",
    ]
)

# Medicines patients name; a question about one is a medical question.
_DRUG = (
    r"(?:必理痛|撲熱息痛|panadol|paracetamol|ibuprofen|布洛芬|阿士匹靈|aspirin|抗生素|antibiotics?|止痛藥|退燒藥|"
    r"咳藥|咳水|咳藥水|感冒藥|敏感藥|抗組織胺|antihistamine|類固醇|steroids?|藥膏|眼藥水|血壓藥|糖尿藥|insulin|"
    r"胰島素|避孕藥|安眠藥|胃藥|消炎藥|cough syrup|eye ?drops|\bcream\b|\bointment\b)"
)

# Booking, rescheduling, cancelling and queueing words: a symptom next to them is a request to
# be seen (e.g. "咳 想book"), not a medical question for the bot to answer.
_OTHER_BUSINESS = _any(
    [
        r"book|預約|約(?:醫生|個|時間|期|聽日|今日|後日|下|星期|禮拜)|想約|幫我約|appointment|appt|ap+[a-z]{0,4}ment",
        r"睇醫生|睇(?:[\u4e00-\u9fff]{1,2})?醫生|睇(?:症|病)|見醫生|see (?:a |the )?(?:doctor|dr)|reserve|slot",
        r"改期|取消|cancel|resched|攞籌|拎籌|取籌|排隊|排籌|queue|有冇位|有位|覆診|walk ?in",
        # nor is "如果過咗號點算": a worry about the queue
        r"籌|過(?:咗|左)號|叫號|飛(?:咗|左)號|my turn|my number",
        # nor is "how do you handle my data" ("點樣處理我嘅私隱")
        r"私隱|資料|privacy|personal data",
    ]
)
_MEDICAL_STRONG = _any(
    [
        # "食咩好" alone is a dinner question: it is a medical one only with a health word (offline.py)
        r"食(?:咩|乜|乜嘢|什麼|甚麼|邊隻|邊種|邊款|幾多|幾粒|幾多粒|幾次)(?:嘢)?藥|食(?:幾多|幾粒|幾多粒|幾次)(?:嘢)?(?:好|先)",
        r"(?:用|搽|飲|吃|食)(?:咩|乜|什麼)藥|(?:咩|乜|什麼|邊隻|邊種)藥",
        r"藥.{0,6}(?:點食|點樣食|幾時食|食幾多|食幾粒|一齊食|可唔可以|可以.{0,2}嗎|得唔得)",
        r"可(?:唔|不)?可以食.{0,10}(?:藥|panadol|必理痛|抗生素|止痛|退燒|撲熱息痛)",
        r"劑量|副作用|幾多(?:mg|毫克|粒|ml)|食幾多粒|藥.{0,12}(?:幾耐|幾時|幾多|幾次)|"
        r"一日(?:食|飲|搽|用)幾(?:多)?(?:次|粒|ml|毫升|包)|"
        r"(?:必理痛|撲熱息痛|抗生素|止痛藥|退燒藥|消炎藥).{0,8}(?:\?|嗎|呀|幾多|可唔可以|得唔得|點)",
        r"dosage|\bdose\b|side ?effects?|"
        r"how (?:many|much) (?:\w+ )?(?:panadol|paracetamol|ibuprofen|tablets?|pills?|mg|medicine|medication)",
        r"(?:can|should|could|may) i (?:take|give|use|eat|drink|mix)\b.{0,30}"
        r"(?:panadol|paracetamol|ibuprofen|medicine|medication|pill|tablet|antibiotic)",
        r"what (?:medicine|medication|drug|pills?|tablets?) ",
        r"(?:blood test|test|result|report|level|reading).{0,30}\bmean|what does .{0,20}(?:high|low|positive|negative)",
        r"可(?:以|唔可以)?食(?:咩|乜|啲咩|乜嘢)|戒(?:咩|乜)?口|what (?:can|should) i eat|(?:can|should) i eat",
        r"(?:驗血|化驗|血液|尿液|x光|x-ray|xray|檢查|身體檢查|驗身|報告|結果).{0,8}(?:正唔正常|正常嗎|正唔正|有冇問題|係咪正常|點解讀|(?:咩|乜|乜嘢|什麼)意思|意味|高咗|低咗|偏高|偏低|超標)",
        r"(?:test|blood|lab|scan|x-?ray) (?:results?|report).{0,20}(?:normal|mean|ok|okay|bad|\?)|"
        r"what does my .{0,20}(?:result|report) mean",
        r"(?:cholesterol|sugar|blood pressure|血壓|血糖|膽固醇|心跳|體溫).{0,25}(?:high|low|normal|高|低|正常)",
        r"how (?:often|many times|long) (?:should|can|do|must) i (?:take|use|apply|give)|when should i take|"
        r"幾耐食一次|一日食幾(?:次|粒)|飯前(?:定|還是|或)飯後|飯前食|飯後食",
        # dosing interval: "幾耐先可以再食", "隔幾耐食", "how often"
        r"幾(?:耐|久|多個鐘)(?:先)?(?:可以|可)?(?:再)?(?:食|飲|搽|用|打)|隔幾(?:耐|多個鐘|個鐘)|"
        r"how (?:often|many times|much|long)\b.{0,20}\b(?:should|can|do|must|may)\s+"
        r"(?:i|he|she|we|they|my \w+)\s+(?:take|use|apply|give|eat|drink)",
        # when to take a medicine around meals: "how long should I wait after eating before taking this medicine"
        r"(?:before|after) (?:taking|eating|meals?|food|breakfast|lunch|dinner)\b.{0,40}"
        r"\b(?:medicine|medication|pills?|tablets?|antibiotics?|drugs?|eating|meals?|food)\b.{0,10}\?|"
        r"(?:taking|take) (?:this|the|my|these|those) (?:medicine|medication|pills?|tablets?|antibiotics?)\b.{0,30}\?|"
        r"食藥(?:前|後).{0,10}(?:幾耐|幾久|要唔要|使唔使|可唔可以|得唔得|\?)",
        # a named drug with any question about it
        _DRUG + r".{0,15}(?:幾(?:耐|多|次|粒|時)|可(?:唔)?可以|得唔得|點(?:食|用|搽)|一齊|再食|先食|嗎|\?|"
        r"\b(?:can|should|how|when|safe|ok)\b)",
        r"(?:\b(?:can|should|could|may|is it (?:ok|safe) to)\b).{0,25}" + _DRUG,
        # whether to see a doctor at all ("使唔使睇醫生", "係咪要睇醫生", "should I see a doctor")
        r"(?:使|洗|駛|要|需)(?:唔|不)(?:使|洗|駛|要|需)(?:要)?(?:去)?(?:睇|看|見)(?:醫生|急症|dr|doctor)|"
        r"係咪(?:一定)?要(?:去)?(?:睇|看)(?:醫生|急症)|"
        r"(?:should|do|must) (?:i|we|he|she) (?:go and |go to )?(?:see|visit) (?:a |the )?(?:doctor|dr|gp)|"
        r"(?:need|necessary) to see (?:a |the )?doctor\b.{0,10}(?:\?|\bor\b)",
    ]
)
_MEDICAL_QUESTION = _any(
    [
        r"係(?:咪|唔係|不是)(?:.{0,6})(?:感冒|流感|新冠|covid|發炎|敏感|過敏|濕疹|病|癌|炎|中毒|食物中毒|細菌|病毒|骨折|扭親|懷孕|有咗)",
        # "係咪偏頭痛", "會唔會係腸胃炎": a name of an illness ends in one of these characters
        r"(?:係(?:咪|唔係|不是)|會(?:唔|不)會係|是不是|是否)\S{0,6}(?:痛|炎|症|瘤|疹|敏|毒|菌|染|傷|折|壓|糖)",
        r"(?:is|could) (?:it|this|that) (?:be )?(?:a |an )?(?:sign of|symptom of|migraine|allergy|infection|"
        r"flu|covid|gastro|uti|eczema|asthma)",
        r"嚴(?:唔|不)嚴重|要(?:唔|不)要緊|會(?:唔|不)會(?:好)?(?:嚴重|傳染|有事|係|癌|死)|傳(?:唔|不)傳染",
        r"正(?:唔|不)正常|正常(?:嗎|嘛|唔|吖嘛)|有冇事|點算|點醫|點治|點處理|點樣醫|點樣處理|怎麼辦|點解會|"
        r"點解成日|要(?:唔|不)要(?:睇|食|去急症|入院)",
        r"is (?:this|it|that) (?:rash |pain |cough )?"
        r"(?:serious|normal|contagious|dangerous|covid|flu|cancer|an? infection|infected|bad)",
        r"should i (?:be worried|worry|go to (?:a&e|the hospital|hospital))|"
        r"what should i do|do i need (?:antibiotics|medicine|to see)",
        r"is .{1,30} (?:serious|contagious|normal|dangerous)\b|could (?:it|this) be|"
        r"how (?:do|can|to) (?:i )?(?:treat|cure|get rid)",
        r"what (?:is|causes?) (?:this|my|the) (?:rash|pain|cough|fever|lump|symptom)",
        r"is (?:that|this|it) (?:too )?(?:high|low|normal|ok|okay|bad|worrying)",
        r"antibiotics?|抗生素|消炎藥|how many days|"
        r"should i (?:rest|stay home|exercise)|"
        r"可(?:唔|不)?以(?:同時)?(?:食|飲)|"
        r"(?:are|is) .{0,20} (?:needed|necessary|required)",
    ]
)


_REPEATED_WORD = ascii_regex(r"\b(\w+)(?: \1\b)+")
_REFUSAL = ascii_regex(r"(?:唔想|不想|唔要|不要|唔使|不用|don'?t want to|do not want to|not|no)\s*$")


def _hits(pattern: re.Pattern, text: str) -> bool:
    """True when some match is not directly negated ("冇心口痛", "no chest pain")."""
    for match in pattern.finditer(text):
        if not _NEGATION.search(text[max(0, match.start() - 8) : match.start()]):
            return True
    return False


def screen_normalised(text: str) -> str | None:
    """The screen on text already passed through `normalise`."""
    if _hits(_EMERGENCY, text):
        return "emergency"
    bare = text.strip(" ?.!-")
    bare = _REPEATED_WORD.sub(r"\1", bare)  # "STOP STOP STOP"
    if _OPT_OUT_EXACT.match(bare) or _OPT_OUT.search(text):
        return "opt_out"
    if _OPT_IN_EXACT.match(bare):
        return "opt_in"
    if match := _OPT_IN.search(text):
        # "我唔想訂閱", "I don't want to subscribe": a refusal is an opt-out, never an opt-in
        refused = _REFUSAL.search(text[max(0, match.start() - 16) : match.start()])
        return "opt_out" if refused else "opt_in"
    if _STAFF.search(text):
        return "talk_to_staff"
    if _MEDICAL_STRONG.search(text):
        return "medical_question"
    if _MEDICAL_QUESTION.search(text) and not _OTHER_BUSINESS.search(text):
        return "medical_question"
    return None


def screen(text: str) -> str | None:
    """Return opt_out, opt_in, emergency, talk_to_staff, medical_question, or None."""
    try:
        return screen_normalised(normalise(text))
    except Exception:  # noqa: BLE001 - the screen sits on the message path and must never fail it
        return None


def self_harm(text: str) -> bool:
    """True when an emergency is a suicidal or self-harm statement: the reply gives the crisis hotlines too."""
    try:
        return _hits(_SELF_HARM_PATTERN, normalise(text))
    except Exception:  # noqa: BLE001 - as screen(): never fail the message; the 999 reply still goes out
        return False
