"""Entity linking: find supplier names in article text with one Aho-Corasick automaton.

Every supplier contributes its Chinese and English names, short name and aliases, each folded
(:func:`riskradar.names.fold`) and also reduced to its core without the legal suffix
(:func:`riskradar.names.normalize_name`); Chinese names additionally without a leading
province/city prefix ("深圳市华强电子" -> "华强电子"). Names that are too short or generic
("group", "china", "电子") are left out, because they would link half the news to random suppliers.
English matches must sit on word boundaries; Chinese has none, so Chinese names need at least two
distinctive characters. The automaton is built once and cached until the supplier table changes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Iterator

import ahocorasick
import zhconv
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riskradar.domain.suppliers import Supplier
from riskradar.names import fold, normalize_name

MIN_CJK_CHARS = 2
MIN_DERIVED_CJK_CHARS = 3
MIN_LATIN_CHARS = 4

# Words that say what kind of company it is, not which one. A name made only of these is skipped.
GENERIC_EN = frozenset("""
group groups holding holdings china chinese international global world worldwide asia asian pacific
america american europe european company companies co ltd limited inc corp corporation industry
industries industrial enterprise enterprises trading trade import export imports exports manufacturing
manufacturer manufacturers factory factories technology technologies tech electronics electronic
electric electrical textile textiles garment garments apparel fashion clothing shoes footwear plastic
plastics metal metals steel chemical chemicals machinery mechanical equipment products product
services service solutions systems logistics supply supplies new the and of development investment
science sciences materials material packaging printing furniture toys toy food foods auto automotive
parts components component precision energy power solar general united national first best top star
golden gold sun hong kong shenzhen shanghai beijing guangzhou dongguan vietnam india bangladesh
""".split())
GENERIC_ZH = tuple(sorted("""
中国 中华 国际 全球 亚洲 集团 公司 有限 股份 控股 实业 工业 企业 科技 技术 电子 电器 电气 纺织 服装 服饰 制衣
鞋业 塑胶 塑料 五金 金属 钢铁 化工 机械 设备 制造 制品 贸易 进出口 商贸 物流 供应链 包装 印刷 家具 玩具 食品
汽车 配件 精密 能源 新能源 光电 材料 发展 投资 工厂 工贸 有限公司 分公司 总公司 厂 集团公司 责任 股份有限公司
深圳 上海 北京 广州 东莞 苏州 杭州 宁波 天津 重庆 成都 武汉 厦门 佛山 无锡 青岛 温州 义乌 昆山 中山 珠海 惠州
广东 江苏 浙江 福建 山东 河北 河南 湖北 湖南 江西 安徽 四川 香港 台湾 越南
""".split(), key=len, reverse=True))
# Leading place prefixes that news usually leaves out ("深圳市华强电子有限公司" -> "华强电子").
_ZH_PLACE_PREFIX_RE = re.compile(
    r"^(?:(?:广东|江苏|浙江|福建|山东|河北|河南|湖北|湖南|江西|安徽|四川|辽宁|吉林|黑龙江|山西|陕西|云南|贵州|"
    r"广西|海南|甘肃|青海|内蒙古|宁夏|新疆|西藏)省?)?"
    r"(?:深圳|上海|北京|广州|东莞|苏州|杭州|宁波|天津|重庆|成都|武汉|厦门|佛山|无锡|青岛|温州|义乌|昆山|中山|珠海|"
    r"惠州|南京|合肥|郑州|长沙|西安|福州|泉州|晋江|常州|南通|嘉兴|绍兴|台州|金华|汕头|江门|肇庆)市?"
)
_LATIN_WORD = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class Match:
    """A supplier name found in a text: which supplier, the text matched and where (evidence)."""

    supplier_id: int
    matched_text: str
    start: int
    end: int
    ambiguous: bool = False  # the same name belongs to several suppliers


_GENERIC_ZH_RE = re.compile("|".join(re.escape(w) for w in GENERIC_ZH))
_CJK_RE = re.compile(r"[\u3400-\u9fff]")


def _has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def _is_generic_zh(name: str) -> bool:
    return len(_CJK_RE.findall(_GENERIC_ZH_RE.sub("", name))) < MIN_CJK_CHARS


def _is_generic_en(name: str) -> bool:
    words = re.findall(r"[a-z0-9]+", name)
    return not words or all(w in GENERIC_EN for w in words)


def name_variants(name: str) -> set[str]:
    """The folded strings under which ``name`` is searched (empty when too short or generic)."""
    if not name or not name.strip():
        return set()
    folded = " ".join(fold(name).split())
    core = normalize_name(folded)
    cjk = _has_cjk(core)
    if not cjk and (len(re.sub(r"[^a-z0-9]", "", core)) < MIN_LATIN_CHARS or _is_generic_en(core)):
        return set()  # "XY Ltd", "Global Trading Co." - the full form is no more distinctive than its core
    candidates = {folded, core}
    if cjk:
        unplaced = _ZH_PLACE_PREFIX_RE.sub("", core)
        # A derived form must stay distinctive: "合肥新建" minus its city is the everyday word
        # "新建" (newly built). Names given as such (简称) may be two characters; derived ones not.
        if len(_CJK_RE.findall(unplaced)) >= MIN_DERIVED_CJK_CHARS:
            candidates.add(unplaced)
    out: set[str] = set()
    for cand in candidates:
        cand = cand.strip(" .,;:-")
        if not cand:
            continue
        if _has_cjk(cand):
            if len(_CJK_RE.findall(cand)) < MIN_CJK_CHARS or _is_generic_zh(cand):
                continue
        elif len(re.sub(r"[^a-z0-9]", "", cand)) < MIN_LATIN_CHARS or _is_generic_en(cand):
            continue
        out.add(cand)
    return out


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """``fold(text)`` and, when folding changed the length, a map from folded to original offsets."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None
    # Rare slow path (ligatures, "…", some Traditional phrases): fold character by character.
    pieces: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        f = unicodedata.normalize("NFKC", ch)
        if "\u4e00" <= ch <= "\u9fff":
            f = zhconv.convert(f, "zh-hans")
        f = f.lower()
        pieces.append(f)
        index.extend([i] * len(f))
    index.append(len(text))
    return "".join(pieces), index


class SupplierMatcher:
    """An Aho-Corasick automaton over every supplier name variant."""

    def __init__(self) -> None:
        self._automaton = ahocorasick.Automaton()
        self.names = 0
        self.suppliers = 0
        self.skipped_names = 0
        self.version: tuple[int, str] | None = None

    @classmethod
    def from_names(cls, rows: Iterable[tuple[int, Iterable[str | None]]]) -> "SupplierMatcher":
        """Build from ``(supplier_id, names)`` pairs (used by :meth:`build` and tests)."""
        matcher = cls()
        owners: dict[str, list[int]] = {}
        seen: dict[str, set[str]] = {}  # the same alias/short name recurs across suppliers
        for supplier_id, names in rows:
            matcher.suppliers += 1
            for name in names:
                if not name:
                    continue
                name = str(name)
                variants = seen.get(name)
                if variants is None:
                    variants = seen[name] = name_variants(name)
                if not variants:
                    matcher.skipped_names += 1
                for variant in variants:
                    ids = owners.setdefault(variant, [])
                    if supplier_id not in ids:
                        ids.append(supplier_id)
        for variant, ids in owners.items():
            # Value: (length, is_latin, supplier ids) — compact tuples keep 100k suppliers small.
            matcher._automaton.add_word(variant, (len(variant), not _has_cjk(variant), tuple(ids)))
        matcher.names = len(owners)
        if owners:
            matcher._automaton.make_automaton()
        return matcher

    @classmethod
    def build(cls, session: Session) -> "SupplierMatcher":
        """Build from all suppliers in the database (names, short name, aliases)."""
        rows = session.execute(
            select(Supplier.id, Supplier.name_zh, Supplier.name_en, Supplier.short_name, Supplier.aliases)
        )

        def pairs() -> Iterator[tuple[int, list[str | None]]]:
            for sid, zh, en, short, aliases in rows:
                extra = [a for a in (aliases or []) if isinstance(a, str)]
                yield sid, [zh, en, short, *extra]

        matcher = cls.from_names(pairs())
        matcher.version = supplier_table_version(session)
        return matcher

    def find(self, text: str) -> list[Match]:
        """Supplier mentions in ``text``: longest non-overlapping matches, in text order.

        Offsets refer to ``text`` as given; latin names must not touch other letters/digits.
        """
        if not text or self.names == 0:
            return []
        folded, index = fold_with_offsets(text)
        candidates: list[tuple[int, int, tuple[int, ...]]] = []
        n = len(folded)
        for end_idx, (length, latin, ids) in self._automaton.iter(folded):
            start = end_idx - length + 1
            end = end_idx + 1
            if latin:
                if start > 0 and _LATIN_WORD.match(folded[start - 1]):
                    continue
                if end < n and _LATIN_WORD.match(folded[end]):
                    continue
            candidates.append((start, end, ids))
        if not candidates:
            return []
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken: list[tuple[int, int]] = []
        matches: list[Match] = []
        for start, end, ids in candidates:
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            o_start, o_end = (start, end) if index is None else (index[start], index[end - 1] + 1)
            for sid in ids:
                matches.append(Match(sid, text[o_start:o_end], o_start, o_end, ambiguous=len(ids) > 1))
        matches.sort(key=lambda m: (m.start, m.supplier_id))
        return matches


def supplier_table_version(session: Session) -> tuple[int, str]:
    """A cheap fingerprint of the supplier table: row count and latest ``updated_at``."""
    count, latest = session.execute(select(func.count(Supplier.id), func.max(Supplier.updated_at))).one()
    return int(count or 0), str(latest)


_cache_lock = threading.Lock()
_cache: dict[str, SupplierMatcher] = {}


def get_matcher(session: Session) -> SupplierMatcher:
    """The cached matcher for this database, rebuilt when suppliers were added, changed or removed."""
    key = str(session.get_bind().url)
    version = supplier_table_version(session)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached.version == version:
            return cached
    matcher = SupplierMatcher.build(session)
    with _cache_lock:
        _cache[key] = matcher
    return matcher


def clear_matcher_cache() -> None:
    """Forget cached matchers (tests, or after bulk supplier changes within one second)."""
    with _cache_lock:
        _cache.clear()
