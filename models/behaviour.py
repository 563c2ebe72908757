"""Behaviour checks: fixed texts whose red lines any bundled or promoted model must get right.

Held-out metrics average over hundreds of items, so a retrained model can gain on them while it
starts flagging a plain forest fire or a ceasefire. These short texts pin down the behaviour the
product promises (the hard negatives the issue names, clear positives in English, Simplified
and Traditional Chinese, and a few of each in other languages, read through the glossary). The
bundled model's tests run them, and the scheduled retraining refuses a candidate that fails a
check the current model passes.
"""

from __future__ import annotations

from typing import Any

HARD_NEGATIVES: tuple[str, ...] = (
    "Board fires CEO after quarterly loss; shares jump 5% as investors welcome the leadership change.",
    "Israel and Hamas agree to a ceasefire in Gaza, mediators say the truce starts on Sunday.",
    "Retailer under fire from investors over executive pay package at annual meeting.",
    "Struggling lender sold in a fire sale to its larger rival over the weekend.",
    "Forest fire forces evacuation of mountain villages as firefighters battle the blaze in the national park.",
    # House fires in the words of factory fires: the model scores these ~0.8; no workplace, no red line.
    "Fire crews battle huge blaze as flames tear through homes; residents evacuated.",
    "Apartment blaze kills two as firefighters battle flames on the fifth floor.",
    "Company launches anti-bribery training for all employees and publishes its new anti-corruption policy.",
    "Toy maker recalls children's pajamas that fail the flammability standard; no injuries reported.",
    "公司董事会宣布解雇首席执行官，股价当日上涨。",
    "以色列与哈马斯达成停火协议，周日起生效。",
)

POSITIVES: tuple[tuple[str, str], ...] = (
    ("Fire at garment factory kills 40 workers trapped behind locked exits.", "fire"),
    ("Explosion at chemical plant warehouse kills five workers, dozens injured.", "fire"),
    ("Supplier found employing 14-year-old children on its assembly line, audit reveals.", "child_labour"),
    ("Migrant workers say the factory confiscated their passports and kept them in debt bondage.", "forced_labour"),
    ("Purchasing manager arrested for taking kickbacks from suppliers in exchange for contracts.", "bribery"),
    ("服装厂发生火灾，造成多名工人死亡，消防部门正在调查起火原因。", "fire"),
    ("电子厂被曝使用童工，多名未满16岁的学生在流水线上加班。", "child_labour"),
    ("砖厂老板扣押工人身份证，强迫智障人员劳动多年不发工资。", "forced_labour"),
    ("采购经理收受供应商回扣数十万元，涉嫌非国家工作人员受贿罪被捕。", "bribery"),
    ("工廠發生火災，多名工人被困身亡。", "fire"),
    ("電子廠被揭發僱用童工，未成年工每天工作十二小時。", "child_labour"),
    ("僱主扣押外籍移工護照，強迫勞動並積欠工資。", "forced_labour"),
    ("供應商向採購主管行賄，收受回扣案被起訴。", "bribery"),
)


#: Other languages go through the glossary (``models/glossary.py``): text, red line, and the term
#: the evidence must point at in the text's own words.
OTHER_LANGUAGE_POSITIVES: tuple[tuple[str, str, str], ...] = (
    ("Rescatan a 30 niños víctimas de trabajo infantil en un taller textil de Puebla", "child_labour",
     "trabajo infantil"),
    ("Großbrand in Fabrik: Feuerwehr kämpft stundenlang gegen die Flammen, zwei Arbeiter verletzt", "fire",
     "Großbrand"),
)

OTHER_LANGUAGE_HARD_NEGATIVES: tuple[str, ...] = (
    "Alto el fuego en Gaza entra en vigor a medianoche",
    "Cháy rừng lan rộng ở Hà Tĩnh, hàng trăm người dân được sơ tán",
)


def behaviour_failures(clf: Any) -> list[str]:
    """One line per check ``clf`` (a :class:`~models.redline.RedLineClassifier`) fails; empty if none."""
    negatives = HARD_NEGATIVES + OTHER_LANGUAGE_HARD_NEGATIVES
    positives = POSITIVES + tuple((text, label) for text, label, _term in OTHER_LANGUAGE_POSITIVES)
    texts = list(negatives) + [text for text, _label in positives]
    results = clf.classify_many(texts, evidence="none")
    failures = [f"hard negative raises {', '.join(r.red_lines)}: {text}"
                for text, r in zip(negatives, results) if r.red_lines]
    failures += [f"misses {label}: {text}"
                 for (text, label), r in zip(positives, results[len(negatives):]) if label not in r.positive]
    return failures
