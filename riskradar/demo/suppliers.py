"""A realistic, deterministic synthetic supplier base (demo data and benchmark scale data).

Shipped as code so ``riskradar demo`` works on a fresh clone without any reference files.
Chinese suppliers get names built the way real ones are (city + brand + industry word +
有限公司) with a short name (简称) and a pinyin English name; suppliers elsewhere get
local-style names (Công ty TNHH ..., Pvt. Ltd., S.A. de C.V., GmbH ...). Annual spend follows
a long-tail (lognormal) distribution, a share of suppliers are tier-2 sub-suppliers of a
tier-1, and criticality includes single-source suppliers.

The same seed always gives the same suppliers (``random.Random(seed)`` only).
"""

from __future__ import annotations

import csv
import random
import unicodedata
from pathlib import Path
from typing import Any, Iterator

import zhconv

# Column order of the supplier import format (canonical English keys, see services.suppliers).
CSV_COLUMNS: tuple[str, ...] = (
    "external_ref", "name_zh", "name_en", "short_name", "aliases", "country", "region", "industry",
    "products", "annual_spend", "currency", "criticality", "tier_level", "parent_ref", "status",
    "contact_email",
)
# The same columns with the Chinese headers a Chinese ERP export would carry.
ZH_HEADERS: dict[str, str] = {
    "external_ref": "供应商编码", "name_zh": "供应商名称", "name_en": "英文名称", "short_name": "简称",
    "aliases": "别名", "country": "国家", "region": "省份/地区", "industry": "行业", "products": "产品",
    "annual_spend": "年采购额", "currency": "币种", "criticality": "关键程度", "tier_level": "层级",
    "parent_ref": "上级供应商", "status": "状态", "contact_email": "联系邮箱",
}

# --- Industries ------------------------------------------------------------------------------
# key: (weight, [(zh word, en word)], [products])
INDUSTRIES: dict[str, tuple[float, list[tuple[str, str]], list[str]]] = {
    "electronics": (16, [("电子科技", "Electronic Technology"), ("电子", "Electronics"),
                         ("精密电子", "Precision Electronics"), ("光电", "Optoelectronics"),
                         ("电路板", "PCB")],
                    ["PCB assemblies", "connectors", "power adapters", "LED modules", "cables", "sensors",
                     "lithium battery packs", "displays"]),
    "apparel": (12, [("服饰", "Garment"), ("制衣", "Garment Manufacturing"), ("服装", "Apparel")],
                ["knitted T-shirts", "denim jeans", "outerwear", "workwear", "sportswear", "underwear"]),
    "textiles": (8, [("纺织", "Textile"), ("织造", "Weaving"), ("印染", "Dyeing & Printing")],
                 ["cotton yarn", "woven fabric", "knitted fabric", "dyed fabric", "non-woven fabric"]),
    "chemicals": (6, [("化工", "Chemical"), ("新材料", "New Materials"), ("精细化工", "Fine Chemical")],
                  ["solvents", "adhesives", "coatings", "dyes", "flame retardants", "resins"]),
    "metals": (8, [("金属制品", "Metal Products"), ("五金", "Hardware"), ("精密机械", "Precision Machinery"),
                   ("压铸", "Die Casting")],
               ["stamped parts", "die-cast housings", "fasteners", "steel brackets", "aluminium extrusions"]),
    "plastics": (7, [("塑胶", "Plastic"), ("塑料制品", "Plastic Products"), ("模具", "Mould")],
                 ["injection-moulded parts", "plastic housings", "PET bottles", "films", "moulds"]),
    "packaging": (7, [("包装", "Packaging"), ("纸品", "Paper Products"), ("印刷包装", "Printing & Packaging")],
                  ["corrugated cartons", "gift boxes", "labels", "blister packs", "paper bags"]),
    "logistics": (5, [("物流", "Logistics"), ("供应链管理", "Supply Chain Management"),
                      ("国际货运代理", "International Freight Forwarding")],
                  ["ocean freight", "trucking", "warehousing", "customs brokerage", "air freight"]),
    "furniture": (4, [("家具", "Furniture"), ("家居", "Home Furnishing")],
                  ["office chairs", "wooden tables", "sofas", "cabinets", "mattresses"]),
    "toys": (4, [("玩具", "Toys"), ("工艺品", "Crafts")],
             ["plush toys", "plastic toys", "educational toys", "seasonal decorations"]),
    "auto parts": (6, [("汽车零部件", "Auto Parts"), ("汽车配件", "Automotive Components")],
                   ["brake pads", "wire harnesses", "seat covers", "filters", "rubber seals"]),
    "footwear": (4, [("鞋业", "Footwear"), ("鞋材", "Shoe Materials")],
                 ["sports shoes", "leather shoes", "soles", "sandals"]),
    "machinery": (4, [("机械", "Machinery"), ("自动化设备", "Automation Equipment")],
                  ["CNC machines", "conveyors", "pumps", "test fixtures"]),
    "batteries": (3, [("新能源", "New Energy"), ("电池", "Battery")],
                  ["lithium cells", "battery packs", "solar modules"]),
    "food packaging": (2, [("食品包装", "Food Packaging")], ["food trays", "paper cups", "aluminium foil"]),
}

# --- China -------------------------------------------------------------------------------------
# (city zh, city pinyin, province zh, weight)
CN_CITIES: list[tuple[str, str, str, float]] = [
    ("深圳", "Shenzhen", "广东", 10), ("东莞", "Dongguan", "广东", 9), ("广州", "Guangzhou", "广东", 6),
    ("佛山", "Foshan", "广东", 5), ("中山", "Zhongshan", "广东", 3), ("惠州", "Huizhou", "广东", 3),
    ("汕头", "Shantou", "广东", 2), ("苏州", "Suzhou", "江苏", 7), ("昆山", "Kunshan", "江苏", 4),
    ("无锡", "Wuxi", "江苏", 3), ("常州", "Changzhou", "江苏", 3), ("南京", "Nanjing", "江苏", 2),
    ("南通", "Nantong", "江苏", 2), ("宁波", "Ningbo", "浙江", 5), ("杭州", "Hangzhou", "浙江", 3),
    ("温州", "Wenzhou", "浙江", 3), ("义乌", "Yiwu", "浙江", 3), ("绍兴", "Shaoxing", "浙江", 3),
    ("台州", "Taizhou", "浙江", 2), ("厦门", "Xiamen", "福建", 3), ("泉州", "Quanzhou", "福建", 3),
    ("福州", "Fuzhou", "福建", 2), ("晋江", "Jinjiang", "福建", 2), ("青岛", "Qingdao", "山东", 3),
    ("烟台", "Yantai", "山东", 1), ("潍坊", "Weifang", "山东", 1), ("上海", "Shanghai", "上海", 5),
    ("天津", "Tianjin", "天津", 2), ("重庆", "Chongqing", "重庆", 2), ("成都", "Chengdu", "四川", 2),
    ("武汉", "Wuhan", "湖北", 2), ("长沙", "Changsha", "湖南", 1), ("郑州", "Zhengzhou", "河南", 2),
    ("合肥", "Hefei", "安徽", 2), ("石家庄", "Shijiazhuang", "河北", 1), ("沈阳", "Shenyang", "辽宁", 1),
    ("大连", "Dalian", "辽宁", 1), ("南昌", "Nanchang", "江西", 1), ("赣州", "Ganzhou", "江西", 1),
    ("南宁", "Nanning", "广西", 1), ("昆明", "Kunming", "云南", 1), ("西安", "Xi'an", "陕西", 1),
]
# Characters used in Chinese brand names (字号), with their pinyin.
CN_BRAND_CHARS: list[tuple[str, str]] = [
    ("华", "hua"), ("鑫", "xin"), ("达", "da"), ("宏", "hong"), ("嘉", "jia"), ("信", "xin"), ("盛", "sheng"),
    ("泰", "tai"), ("隆", "long"), ("丰", "feng"), ("荣", "rong"), ("源", "yuan"), ("恒", "heng"),
    ("昌", "chang"), ("瑞", "rui"), ("兴", "xing"), ("德", "de"), ("永", "yong"), ("金", "jin"),
    ("新", "xin"), ("天", "tian"), ("海", "hai"), ("宇", "yu"), ("明", "ming"), ("东", "dong"),
    ("方", "fang"), ("佳", "jia"), ("美", "mei"), ("润", "run"), ("博", "bo"), ("鸿", "hong"), ("锦", "jin"),
    ("凯", "kai"), ("诚", "cheng"), ("联", "lian"), ("创", "chuang"), ("振", "zhen"), ("安", "an"),
    ("利", "li"), ("通", "tong"), ("万", "wan"), ("裕", "yu"), ("富", "fu"), ("汇", "hui"), ("合", "he"),
    ("志", "zhi"), ("启", "qi"), ("星", "xing"), ("光", "guang"), ("晶", "jing"), ("伟", "wei"),
    ("建", "jian"), ("耀", "yao"), ("辉", "hui"), ("骏", "jun"), ("银", "yin"), ("正", "zheng"),
    ("中", "zhong"), ("远", "yuan"), ("顺", "shun"), ("鼎", "ding"), ("飞", "fei"), ("腾", "teng"),
    ("亿", "yi"), ("威", "wei"), ("宝", "bao"), ("欣", "xin"), ("益", "yi"), ("展", "zhan"), ("冠", "guan"),
]
CN_LEGAL: list[tuple[str, str, float]] = [
    ("有限公司", "Co., Ltd.", 80), ("股份有限公司", "Co., Ltd.", 12), ("有限责任公司", "Co., Ltd.", 8),
]

# --- Elsewhere: (weight, currency, regions, first words, second words, name patterns) -------
# Patterns use {a} {b} (local words) and {ind} (English industry word).
COUNTRIES: dict[str, dict[str, Any]] = {
    "VN": {"w": 7, "cur": "USD", "regions": ["Hồ Chí Minh", "Bình Dương", "Đồng Nai", "Hà Nội", "Hải Phòng",
                                             "Bắc Ninh", "Long An"],
           "a": ["Minh", "Phú", "Thành", "Hoàng", "Việt", "An", "Tân", "Hưng", "Đại", "Nam", "Bình", "Quang",
                 "Thịnh", "Trường", "Hòa", "Phát", "Sài Gòn", "Hồng"],
           "b": ["Phát", "Long", "Thịnh", "Tiến", "Lợi", "Hưng", "Đạt", "Thành", "Khang", "Nguyên", "Vinh"],
           "pat": ["{a} {b} {ind} Co., Ltd.", "{a} {b} {ind} Joint Stock Company"],
           "local": "Công ty TNHH {a} {b}"},
    "IN": {"w": 6, "cur": "INR", "regions": ["Tamil Nadu", "Maharashtra", "Gujarat", "Karnataka", "Haryana",
                                             "Uttar Pradesh", "Punjab", "West Bengal"],
           "a": ["Shree", "Sri", "Bharat", "Vardhman", "Laxmi", "Omkar", "Sai", "Ganesh", "Supreme", "Arvind",
                 "Mahalaxmi", "Balaji", "Krishna", "Jyoti"],
           "b": ["Shah", "Patel", "Mehta", "Agarwal", "Gupta", "Reddy", "Iyer", "Kumar", "Singh", "Jain",
                 "Bansal", "Malhotra", "Exports", "Overseas", "Industries"],
           "pat": ["{a} {b} {ind} Pvt. Ltd.", "{a} {b} {ind} Limited"]},
    "MX": {"w": 4, "cur": "MXN", "regions": ["Nuevo León", "Jalisco", "Chihuahua", "Baja California", "Coahuila",
                                             "Guanajuato", "Estado de México", "Puebla"],
           "a": ["Industrias", "Manufacturas", "Grupo", "Corporativo", "Productos", "Maquiladora"],
           "b": ["Rivera", "Hernández", "del Norte", "Garza", "Treviño", "del Bajío", "Azteca", "Regiomontana",
                 "Sánchez", "Villarreal", "del Pacífico"],
           "pat": ["{a} {b} S.A. de C.V.", "{a} {b} {ind} S. de R.L. de C.V."]},
    "BD": {"w": 4, "cur": "USD", "regions": ["Dhaka", "Chattogram", "Gazipur", "Narayanganj", "Savar"],
           "a": ["Rahman", "Karim", "Bengal", "Padma", "Meghna", "Jamuna", "Sonar", "Dhaka", "Hossain", "Alam"],
           "b": ["Knit", "Fashions", "Apparels", "Composite", "Textiles", "Sweaters", "Denim", "Garments"],
           "pat": ["{a} {b} Ltd.", "{a} {b} {ind} Ltd."]},
    "TR": {"w": 3, "cur": "EUR", "regions": ["İstanbul", "Bursa", "İzmir", "Denizli", "Gaziantep", "Kocaeli"],
           "a": ["Yıldız", "Akın", "Demir", "Kaya", "Özdemir", "Anadolu", "Ege", "Marmara", "Aydın", "Çelik"],
           "b": ["Tekstil", "Sanayi", "Örme", "Konfeksiyon", "Plastik", "Metal", "Kimya"],
           "pat": ["{a} {b} San. ve Tic. A.Ş.", "{a} {b} Ltd. Şti."]},
    "ID": {"w": 3, "cur": "USD", "regions": ["Jawa Barat", "Jawa Tengah", "Banten", "Jawa Timur", "Batam"],
           "a": ["Sinar", "Mitra", "Cahaya", "Karya", "Mulia", "Indah", "Sentosa", "Abadi", "Jaya", "Makmur"],
           "b": ["Abadi", "Sejahtera", "Perkasa", "Utama", "Lestari", "Mandiri", "Nusantara", "Prima"],
           "pat": ["PT {a} {b} {ind}", "PT {a} {b} Indonesia"]},
    "TH": {"w": 3, "cur": "THB", "regions": ["Bangkok", "Samut Prakan", "Chonburi", "Rayong", "Ayutthaya"],
           "a": ["Siam", "Thai", "Charoen", "Sombat", "Pattana", "Srisawat", "Chaiyo", "Rungroj"],
           "b": ["Kasikorn", "Kij", "Industry", "Manufacturing", "Supply", "Pattana", "Rubber", "Steel"],
           "pat": ["{a} {b} {ind} Co., Ltd.", "{a} {b} Public Company Limited"]},
    "MY": {"w": 3, "cur": "MYR", "regions": ["Selangor", "Penang", "Johor", "Perak", "Kedah"],
           "a": ["Mega", "Jaya", "Maju", "Bina", "Sinar", "Cahaya", "Perdana", "Gemilang", "Setia"],
           "b": ["Teknik", "Industries", "Plastik", "Elektronik", "Manufacturing", "Precision"],
           "pat": ["{a} {b} Sdn. Bhd.", "{a} {b} {ind} Sdn. Bhd."]},
    "US": {"w": 4, "cur": "USD", "regions": ["California", "Texas", "Ohio", "Michigan", "North Carolina",
                                             "Georgia", "Illinois", "Pennsylvania"],
           "a": ["American", "Pacific", "Great Lakes", "Lone Star", "Summit", "Keystone", "Liberty", "Evergreen",
                 "Midwest", "Atlantic", "Pioneer", "Cascade"],
           "b": ["Precision", "Components", "Industries", "Materials", "Solutions", "Supply", "Manufacturing"],
           "pat": ["{a} {b} Inc.", "{a} {ind} LLC", "{a} {b} Corp."]},
    "DE": {"w": 3, "cur": "EUR", "regions": ["Bayern", "Baden-Württemberg", "Nordrhein-Westfalen", "Sachsen",
                                             "Niedersachsen", "Hessen"],
           "a": ["Müller", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Schäfer", "Richter", "Krause"],
           "b": ["Präzisionstechnik", "Kunststofftechnik", "Metallbau", "Verpackung", "Elektronik", "Chemie"],
           "pat": ["{a} {b} GmbH", "{a} {b} GmbH & Co. KG", "{a} AG"]},
    "JP": {"w": 3, "cur": "JPY", "regions": ["Aichi", "Osaka", "Tokyo", "Kanagawa", "Shizuoka", "Hyogo"],
           "a": ["Yamada", "Suzuki", "Takahashi", "Tanaka", "Nakamura", "Kobayashi", "Sato", "Kato", "Nippon"],
           "b": ["Seiko", "Kogyo", "Denki", "Kasei", "Seisakusho", "Precision"],
           "pat": ["{a} {b} Co., Ltd.", "{a} {ind} K.K."]},
    "KR": {"w": 3, "cur": "KRW", "regions": ["Gyeonggi", "Seoul", "Incheon", "Busan", "Ulsan", "Gyeongnam"],
           "a": ["Daehan", "Hanil", "Sungwoo", "Dongil", "Jinyoung", "Sewon", "Samjin", "Hwaseong", "Daesung"],
           "b": ["Precision", "Tech", "Industrial", "Electronics", "Chemical", "Materials"],
           "pat": ["{a} {b} Co., Ltd.", "{a} {ind} Corporation"]},
    "TW": {"w": 3, "cur": "TWD", "regions": ["新北", "桃園", "台中", "台南", "高雄", "新竹"],
           "a": [], "b": [], "pat": [], "chinese": True},
    "HK": {"w": 1, "cur": "HKD", "regions": ["九龍", "新界", "香港島"], "a": [], "b": [], "pat": [],
           "chinese": True},
    "PK": {"w": 2, "cur": "USD", "regions": ["Punjab", "Sindh", "Khyber Pakhtunkhwa"],
           "a": ["Faisal", "Lahore", "Sialkot", "Indus", "Crescent", "Nishat", "Kohinoor", "Al-Karam"],
           "b": ["Textile Mills", "Sports", "Apparel", "Leather", "Surgical", "Industries"],
           "pat": ["{a} {b} (Pvt.) Ltd.", "{a} {b} Limited"]},
    "KH": {"w": 2, "cur": "USD", "regions": ["Phnom Penh", "Kandal", "Kampong Speu", "Svay Rieng"],
           "a": ["Angkor", "Mekong", "Khmer", "Tonle", "Royal", "Golden"], "b": ["Garment", "Knitting",
                                                                               "Fashion", "Footwear"],
           "pat": ["{a} {b} Co., Ltd."]},
    "PH": {"w": 2, "cur": "USD", "regions": ["Laguna", "Cavite", "Cebu", "Batangas", "Metro Manila"],
           "a": ["Luzon", "Visayas", "Manila", "Cebu", "Pacific", "Maharlika"], "b": ["Electronics",
                                                                                   "Manufacturing", "Industries"],
           "pat": ["{a} {b} Inc.", "{a} {b} Corporation"]},
    "BR": {"w": 2, "cur": "BRL", "regions": ["São Paulo", "Minas Gerais", "Paraná", "Santa Catarina",
                                             "Rio Grande do Sul"],
           "a": ["Indústria", "Metalúrgica", "Têxtil", "Plásticos", "Química"],
           "b": ["Paulista", "Silva", "Santos", "Oliveira", "Mineira", "do Sul", "Brasil"],
           "pat": ["{a} {b} Ltda.", "{a} {b} S.A."]},
    "IT": {"w": 2, "cur": "EUR", "regions": ["Lombardia", "Veneto", "Emilia-Romagna", "Piemonte", "Toscana"],
           "a": ["Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino"],
           "b": ["Meccanica", "Tessile", "Plastica", "Imballaggi", "Componenti"],
           "pat": ["{b} {a} S.p.A.", "{b} {a} S.r.l."]},
    "PL": {"w": 1.5, "cur": "PLN", "regions": ["Mazowieckie", "Śląskie", "Wielkopolskie", "Dolnośląskie"],
           "a": ["Nowak", "Kowalski", "Wiśniewski", "Polska", "Mazur", "Zieliński"],
           "b": ["Metal", "Plast", "Pak", "Tech", "Chem"], "pat": ["{a}-{b} Sp. z o.o."]},
    "GB": {"w": 1.5, "cur": "GBP", "regions": ["England", "Scotland", "Wales", "Northern Ireland"],
           "a": ["Albion", "Britannia", "Thames", "Pennine", "Midland", "Northern", "Crown", "Kingsway"],
           "b": ["Packaging", "Engineering", "Components", "Textiles", "Plastics"], "pat": ["{a} {b} Ltd"]},
    "ES": {"w": 1, "cur": "EUR", "regions": ["Cataluña", "Valencia", "Madrid", "Andalucía", "País Vasco"],
           "a": ["Industrias", "Talleres", "Plásticos", "Envases", "Textil"],
           "b": ["García", "Martínez", "López", "Ibérica", "Levante", "del Mediterráneo"],
           "pat": ["{a} {b} S.L.", "{a} {b} S.A."]},
    "FR": {"w": 1, "cur": "EUR", "regions": ["Auvergne-Rhône-Alpes", "Île-de-France", "Grand Est", "Hauts-de-France"],
           "a": ["Dupont", "Martin", "Bernard", "Durand", "Lefebvre", "Moreau"],
           "b": ["Emballages", "Plasturgie", "Mécanique", "Textiles", "Industries"], "pat": ["{b} {a} SAS"]},
    "CZ": {"w": 1, "cur": "CZK", "regions": ["Praha", "Jihomoravský kraj", "Moravskoslezský kraj"],
           "a": ["Novák", "Svoboda", "Dvořák", "Moravia", "Bohemia"], "b": ["Plast", "Metal", "Tech", "Obaly"],
           "pat": ["{a} {b} s.r.o."]},
    "HU": {"w": 1, "cur": "HUF", "regions": ["Pest", "Győr-Moson-Sopron", "Fejér", "Borsod"],
           "a": ["Nagy", "Kovács", "Tóth", "Szabó", "Pannon", "Duna"], "b": ["Műanyag", "Fém", "Elektronika"],
           "pat": ["{a} {b} Kft."]},
    "MA": {"w": 1, "cur": "MAD", "regions": ["Tanger-Tétouan", "Casablanca-Settat", "Fès-Meknès"],
           "a": ["Atlas", "Maghreb", "Tanger", "Sahara", "Casa"], "b": ["Confection", "Textile", "Câblage"],
           "pat": ["{a} {b} SARL"]},
    "EG": {"w": 1, "cur": "USD", "regions": ["Cairo", "Alexandria", "10th of Ramadan", "Port Said"],
           "a": ["Nile", "Delta", "Cairo", "Pharaoh", "Giza"], "b": ["Cotton", "Spinning", "Textiles", "Chemicals"],
           "pat": ["{a} {b} S.A.E."]},
    "LK": {"w": 1, "cur": "USD", "regions": ["Western", "Central", "Southern"],
           "a": ["Lanka", "Ceylon", "Serendib", "Kandy"], "b": ["Apparel", "Rubber", "Knit", "Textiles"],
           "pat": ["{a} {b} (Pvt) Ltd"]},
    "MM": {"w": 0.5, "cur": "USD", "regions": ["Yangon", "Mandalay", "Bago"],
           "a": ["Golden", "Myanmar", "Irrawaddy", "Shwe"], "b": ["Garment", "Textile", "Industrial"],
           "pat": ["{a} {b} Co., Ltd."]},
    "ET": {"w": 0.5, "cur": "USD", "regions": ["Addis Ababa", "Hawassa", "Oromia"],
           "a": ["Abyssinia", "Hawassa", "Ethio", "Blue Nile"], "b": ["Garment", "Textile", "Leather"],
           "pat": ["{a} {b} PLC"]},
    "NL": {"w": 1, "cur": "EUR", "regions": ["Noord-Brabant", "Zuid-Holland", "Gelderland"],
           "a": ["Van Dijk", "De Vries", "Jansen", "Bakker", "Holland"], "b": ["Verpakkingen", "Techniek", "Logistics"],
           "pat": ["{a} {b} B.V."]},
    "CA": {"w": 1, "cur": "CAD", "regions": ["Ontario", "Quebec", "British Columbia", "Alberta"],
           "a": ["Maple", "Northern", "Laurentian", "Great Lakes", "Prairie"], "b": ["Packaging", "Plastics",
                                                                                 "Components"],
           "pat": ["{a} {b} Inc.", "{a} {b} Ltd."]},
    "SG": {"w": 1, "cur": "SGD", "regions": ["Jurong", "Woodlands", "Tuas"],
           "a": ["Lion City", "Straits", "Merlion", "Orchid", "Temasek"], "b": ["Logistics", "Electronics",
                                                                                "Trading"],
           "pat": ["{a} {b} Pte. Ltd."]},
}
CN_WEIGHT = 35.0  # ~35% of suppliers are in mainland China

_STATUS = (("active", 82), ("onboarding", 6), ("prospect", 5), ("suspended", 4), ("exited", 3))
_CRITICALITY = (("low", 40), ("medium", 35), ("high", 18), ("single_source", 7))
_USD_RATE = {"USD": 1.0, "CNY": 7.1, "EUR": 0.92, "INR": 83.0, "MXN": 17.0, "THB": 35.0, "MYR": 4.7,
             "JPY": 150.0, "KRW": 1330.0, "TWD": 31.5, "HKD": 7.8, "BRL": 5.0, "PLN": 4.0, "GBP": 0.79,
             "CZK": 23.0, "HUF": 360.0, "MAD": 10.0, "CAD": 1.36, "SGD": 1.34}


# Trade words in local company names -> industry key (checked as lower-case substrings).
_NAME_INDUSTRY: tuple[tuple[str, str], ...] = (
    ("garment", "apparel"), ("apparel", "apparel"), ("fashion", "apparel"), ("knit", "apparel"),
    ("sweater", "apparel"), ("denim", "apparel"), ("konfeksiyon", "apparel"), ("confection", "apparel"),
    ("örme", "textiles"), ("textil", "textiles"), ("tekstil", "textiles"), ("tessile", "textiles"),
    ("têxtil", "textiles"), ("cotton", "textiles"), ("spinning", "textiles"), ("composite", "textiles"),
    ("kunststoff", "plastics"), ("plásticos", "plastics"), ("plastica", "plastics"), ("plasturgie", "plastics"),
    ("plastik", "plastics"), ("plastic", "plastics"), ("plast", "plastics"), ("műanyag", "plastics"),
    ("chemi", "chemicals"), ("kimya", "chemicals"), ("química", "chemicals"), ("chemical", "chemicals"),
    ("metallbau", "metals"), ("metalúrgica", "metals"), ("metal", "metals"), ("steel", "metals"), ("fém", "metals"),
    ("elektron", "electronics"), ("electronic", "electronics"), ("denki", "electronics"),
    ("verpackung", "packaging"), ("packaging", "packaging"), ("emballage", "packaging"),
    ("imballaggi", "packaging"), ("envases", "packaging"), ("obaly", "packaging"), ("verpakking", "packaging"),
    ("logistics", "logistics"), ("footwear", "footwear"), ("leather", "footwear"), ("câblage", "auto parts"),
    ("meccanica", "machinery"), ("mécanique", "machinery"), ("teknik", "machinery"), ("techniek", "machinery"),
    ("rubber", "auto parts"),
)


# How a 简称 abbreviates the industry word (default: its first two characters).
_SHORT_WORDS = {"供应链管理": "供应链", "国际货运代理": "货运", "汽车零部件": "汽配", "汽车配件": "汽配",
                "自动化设备": "自动化", "印刷包装": "包装", "精细化工": "化工", "精密电子": "电子", "精密机械": "机械",
                "电子科技": "电子", "塑料制品": "塑料", "金属制品": "金属", "食品包装": "包装"}


def _industry_of(name: str) -> str | None:
    lowered = name.lower()
    return next((ind for word, ind in _NAME_INDUSTRY if word in lowered), None)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...] | list[tuple[str, float]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class SupplierGenerator:
    """Generates supplier rows (dicts keyed by :data:`CSV_COLUMNS`) from one seed.

    ``tier2_share`` of the suppliers are tier-2 with a parent among the tier-1 suppliers.
    """

    def __init__(self, seed: int = 7, *, tier2_share: float = 0.12, ref_prefix: str = "SUP-") -> None:
        self.rng = random.Random(seed)
        self.tier2_share = tier2_share
        self.ref_prefix = ref_prefix
        self._names: set[str] = set()
        countries = [("CN", CN_WEIGHT)] + [(code, spec["w"]) for code, spec in COUNTRIES.items()]
        self._country_codes = [c for c, _ in countries]
        self._country_weights = [w for _, w in countries]
        self._ind_keys = list(INDUSTRIES)
        self._ind_weights = [INDUSTRIES[k][0] for k in self._ind_keys]
        self._city_weights = [c[3] for c in CN_CITIES]

    # -- names -------------------------------------------------------------------------------
    def _chinese(self, industry: str, traditional: bool = False) -> tuple[str, str, str, list[str], str]:
        """(name_zh, name_en, short_name, aliases, region) for a Chinese-named company."""
        rng = self.rng
        word_zh, word_en = rng.choice(INDUSTRIES[industry][1])
        for attempt in range(50):
            city, city_en, province, _ = rng.choices(CN_CITIES, weights=self._city_weights)[0]
            c1, c2 = rng.sample(CN_BRAND_CHARS, 2)
            brand, brand_en = c1[0] + c2[0], (c1[1] + c2[1]).capitalize()
            if attempt > 20:  # crowded name space at large scale: three-character brands
                c3 = rng.choice(CN_BRAND_CHARS)
                brand, brand_en = brand + c3[0], brand_en + c3[1]
            legal_zh, legal_en, _ = rng.choices(CN_LEGAL, weights=[x[2] for x in CN_LEGAL])[0]
            # Taiwan and Hong Kong companies rarely put a city in front of the name.
            name_zh = f"{brand}{word_zh}{legal_zh}" if traditional else f"{city}{brand}{word_zh}{legal_zh}"
            if name_zh not in self._names:
                break
        self._names.add(name_zh)
        name_en = f"{city_en} {brand_en} {word_en} {legal_en}"
        short = f"{brand}{_SHORT_WORDS.get(word_zh, word_zh[:2])}"
        aliases = [f"{city}{brand}", f"{brand_en} {word_en}"]
        region = province
        if traditional:
            name_zh = zhconv.convert(name_zh, "zh-tw")
            short = zhconv.convert(short, "zh-tw")
            aliases = [aliases[1]]
            name_en = f"{brand_en} {word_en} {legal_en}"
        return name_zh, name_en, short, aliases, region

    def _local(self, country: str, industry: str) -> tuple[str, str | None, str, list[str], str]:
        """(name_en, local name or None, short_name, aliases, industry) for a non-Chinese company.

        A trade word in the name ("Tekstil", "Plastik", "Garment") decides the industry, so a
        company called "... Garment PLC" is never listed under electronics.
        """
        rng = self.rng
        spec = COUNTRIES[country]
        name = short = a = b = ""
        for attempt in range(40):
            a, b = rng.choice(spec["a"]), rng.choice(spec["b"])
            if attempt > 8:  # crowded name space at large scale: two-word first part
                second = rng.choice(spec["a"])
                if second != a:
                    a = f"{a} {second}"
            if attempt > 20:
                second = rng.choice(spec["b"])
                if second != b:
                    b = f"{b} {second}"
            chosen = _industry_of(f"{a} {b}") or industry
            word_en = rng.choice(INDUSTRIES[chosen][1])[1]
            pattern = rng.choice(spec["pat"])
            name = pattern.format(a=a, b=b, ind=word_en)
            short = f"{a} {b}" if "{b}" in pattern else f"{a} {word_en}"
            if name not in self._names:
                break
        self._names.add(name)
        local = spec["local"].format(a=a, b=b) if "local" in spec else None
        aliases = [local] if local else []
        return name, local, short, aliases, chosen

    # -- rows --------------------------------------------------------------------------------
    def _row(self, index: int) -> dict[str, Any]:
        rng = self.rng
        country = rng.choices(self._country_codes, weights=self._country_weights)[0]
        industry = rng.choices(self._ind_keys, weights=self._ind_weights)[0]
        slug_tld = ".com"
        if country == "CN" or COUNTRIES.get(country, {}).get("chinese"):
            name_zh, name_en, short, aliases, region = self._chinese(industry, traditional=country != "CN")
            if country != "CN":
                region = rng.choice(COUNTRIES[country]["regions"])
                region = zhconv.convert(region, "zh-tw")
            elif rng.random() < 0.08:
                name_en = ""  # some small Chinese suppliers have no English name in the ERP
            currency = "CNY" if country == "CN" else COUNTRIES[country]["cur"]
            slug_tld = ".com.cn" if country == "CN" else (".com.tw" if country == "TW" else ".com.hk")
            slug = "".join(ch for ch in aliases[-1].split()[0].lower() if ch.isalnum())
        else:
            name_en, _local, short, aliases, industry = self._local(country, industry)
            name_zh = ""
            region = rng.choice(COUNTRIES[country]["regions"])
            currency = COUNTRIES[country]["cur"] if rng.random() < 0.7 else "USD"
            slug = "".join(ch for ch in unicodedata.normalize("NFKD", short.lower()) if ch.isascii() and ch.isalnum())
        usd = rng.lognormvariate(12.2, 1.7)  # median ~200k USD, long tail into the hundreds of millions
        spend: float | str = round(usd * _USD_RATE.get(currency, 1.0), 2)
        if rng.random() < 0.03:
            spend = ""  # unknown spend (prospects, new vendors)
        products = ", ".join(rng.sample(INDUSTRIES[industry][2], k=min(2, len(INDUSTRIES[industry][2]))))
        return {
            "external_ref": f"{self.ref_prefix}{index:06d}",
            "name_zh": name_zh,
            "name_en": name_en,
            "short_name": short,
            "aliases": aliases,
            "country": country,
            "region": region,
            "industry": industry,
            "products": products,
            "annual_spend": spend,
            "currency": currency,
            "criticality": _weighted(rng, _CRITICALITY),
            "tier_level": 1,
            "parent_ref": "",
            "status": _weighted(rng, _STATUS),
            "contact_email": f"csr@{slug or 'supplier'}{index}{slug_tld}" if rng.random() < 0.85 else "",
        }

    def generate(self, n: int) -> list[dict[str, Any]]:
        """``n`` supplier rows; about ``tier2_share`` of them are tier-2 with a tier-1 parent."""
        rows = [self._row(i + 1) for i in range(n)]
        tier1 = [i for i in range(n) if self.rng.random() >= self.tier2_share]
        if tier1:
            tier1_set = set(tier1)
            for i in range(n):
                if i not in tier1_set:
                    parent = rows[self.rng.choice(tier1)]
                    rows[i]["tier_level"] = 2
                    rows[i]["parent_ref"] = parent["external_ref"]
        return rows


def generate_suppliers(n: int = 2400, seed: int = 7, *, ref_prefix: str = "SUP-") -> list[dict[str, Any]]:
    """``n`` deterministic synthetic supplier rows (dicts keyed by :data:`CSV_COLUMNS`)."""
    return SupplierGenerator(seed, ref_prefix=ref_prefix).generate(n)


def csv_rows(rows: list[dict[str, Any]], *, erp_style: bool = False) -> Iterator[list[str]]:
    """Rows as CSV cells in :data:`CSV_COLUMNS` order (aliases joined with ``;``).

    ``erp_style`` fills 供应商名称 with the English name when there is no Chinese one, as a
    Chinese ERP export does.
    """
    for row in rows:
        cells = []
        for col in CSV_COLUMNS:
            value = row.get(col, "")
            if erp_style and col == "name_zh" and not value:
                value = row.get("name_en", "")
            if col == "aliases":
                value = "; ".join(value or [])
            cells.append("" if value is None else str(value))
        yield cells


def write_supplier_csv(rows: list[dict[str, Any]], path: Path, *, headers: str = "en",
                       encoding: str = "utf-8") -> Path:
    """Write ``rows`` as a supplier import CSV; ``headers`` is ``"en"`` (canonical) or ``"zh"``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = list(CSV_COLUMNS) if headers == "en" else [ZH_HEADERS[c] for c in CSV_COLUMNS]
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(csv_rows(rows, erp_style=headers == "zh"))
    return path
