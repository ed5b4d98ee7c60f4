"""Who reports and what part 一 says: organ names and a narrative that restates figures.

Part 一 of a real report often restates the tables ("收到政府信息公开申请8件", "行政复议2件");
the generator does the same from the printed figures, so the rule engine's soft checks
have something to compare.
"""

from __future__ import annotations

import random

from eval.synth.tables import Size
from nianbao.core.models import CellValue

_PLACES = (
    "岑港",
    "灵山卫",
    "文峰",
    "东湖",
    "西岭",
    "南浦",
    "北塘",
    "青阳",
    "临川",
    "石门",
    "梅溪",
    "金沙",
    "白云",
    "长宁",
    "永安",
    "清河",
    "桃源",
    "凤凰",
    "龙泉",
    "新港",
)
_CITIES = ("舟山", "青岛", "汾阳", "泰州", "平潭", "沭阳", "淮安", "宁德", "绍兴", "赣州")
_BODIES: dict[Size, tuple[str, ...]] = {
    "small": ("{place}街道办事处", "{place}镇人民政府", "{place}街道", "{place}乡人民政府"),
    "medium": (
        "{city}市{place}区人民政府",
        "{city}市生态环境局",
        "{city}市教育局",
        "{place}县人民政府",
    ),
    "large": (
        "{city}市人民政府",
        "{city}市人民政府办公室",
        "{city}市自然资源和规划局",
        "{city}市公安局",
    ),
}
HEADINGS = (
    ("一、", "总体情况"),
    ("二、", "主动公开政府信息情况"),
    ("三、", "收到和处理政府信息公开申请情况"),
    ("四、", "政府信息公开行政复议、行政诉讼情况"),
    ("五、", "存在的主要问题及改进情况"),
    ("六、", "其他需要报告的事项"),
)
_FILLER = (
    "全面贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "持续推进决策、执行、管理、服务、结果公开。",
    "加强政府网站和政务新媒体建设，及时发布政策文件和解读材料，回应社会关切。",
    "严格落实保密审查制度，对拟公开信息逐条审核，确保公开内容准确、规范。",
    "完善依申请公开办理流程，规范登记、审核、答复等环节，均在法定期限内答复。",
)
_CLOSING = (
    "一是政策解读形式不够丰富；二是基层政务公开标准化建设有待加强。下一步将加强培训，"
    "提升公开质量。",
    "本年度未收取信息处理费。",
)


def organ_name(rng: random.Random, size: Size) -> str:
    pattern = rng.choice(_BODIES[size])
    return pattern.format(place=rng.choice(_PLACES), city=rng.choice(_CITIES))


def title(organ: str, year: int) -> str:
    return f"{organ}{year}年政府信息公开工作年度报告"


def overview(rng: random.Random, organ: str, year: int, cells: dict[str, CellValue]) -> list[str]:
    """Paragraphs of part 一, restating the applications and appeals actually printed."""
    paras = [f"{year}年，{organ}" + rng.choice(_FILLER)]
    published = rng.randint(20, 3000)
    paras.append(f"全年通过政府网站等渠道主动公开政府信息{published}条。" + rng.choice(_FILLER))
    new, carried = cells.get("t3.new.total"), cells.get("t3.carried_over.total")
    if new is not None and rng.random() < 0.8:
        if carried and rng.random() < 0.5:
            figure = f"共收到政府信息公开申请{new + carried}件（含上年结转{carried}件）"
        else:
            figure = f"本年度共收到政府信息公开申请{new}件"
        paras.append(f"{figure}，均已按规定答复。")
    review = cells.get("t4.review.total")
    if review is not None and rng.random() < 0.6:
        paras.append(f"全年因政府信息公开申请引起行政复议{review}件。")
    return paras


def closing() -> tuple[str, str]:
    """The text of parts 五 (problems and improvements) and 六 (other matters)."""
    return _CLOSING[0], _CLOSING[1]
