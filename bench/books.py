"""Book records for the benchmark catalog: read from a JSON Lines file and
repeated with altered ISBNs and titles, or generated when no file is given."""
import json
import random

from app.libs.book_record import RecordError, clean_record

# Words every catalog (read or generated) contains at different rates; the
# in-process search timing runs over these.
KEYWORDS = ("中国", "生活", "世界", "经济", "艺术", "社会", "故事", "自由", "心理", "帝国", "历史", "哲学")


def isbn13(body12: str) -> str:
    """Complete a 12-digit body with its ISBN-13 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def read_records(path: str) -> list[dict]:
    """Clean records of a JSON Lines file (lines the app would reject are skipped)."""
    records = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                records.append(clean_record(json.loads(line)))
            except (ValueError, RecordError):
                continue
    if not records:
        raise SystemExit(f"no usable book in {path}")
    return records


def repeated(base: list[dict], count: int) -> list[dict]:
    """``count`` records: ``base`` as it is, then copies with new checksum-valid
    979-8 ISBNs and an edition mark added to the title."""
    taken = {rec["isbn"] for rec in base}
    out, serial = [], 0
    for i in range(count):
        rec, copy = base[i % len(base)], i // len(base)
        if copy:
            rec = dict(rec)
            while True:
                serial += 1
                isbn = isbn13(f"9798{serial:08d}")
                if isbn not in taken:
                    break
            rec["isbn"] = isbn
            rec["title"] = f"{rec['title'][:240]}（第{copy + 1}版）"
        out.append(rec)
    return out


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞晨曦宇轩浩然思远雨欣子涵梓萱嘉怡俊豪"
WORDS = ("时间", "河流", "山海", "春天", "秋夜", "月光", "远方", "城市", "记忆", "孤独", "花园", "星空", "旅行",
         "少年", "故乡", "海边", "森林", "冬日", "灯塔", "火车", "书店", "长夜", "风景", "童年", "沙漠", "岛屿",
         "未来", "迷宫", "镜子", "影子", "雪国", "黎明", "草原", "码头", "钟声", "信件", "房间", "街道", "庭院")
TOPICS = KEYWORDS + ("文学", "科学", "人类", "文明", "思想", "爱情", "女性", "战争", "城市", "革命")
FORMS = ("", "", "", "简史", "札记", "随笔", "讲义", "十讲", "导论", "笔记", "全集", "选集", "传")
PUBLISHERS = ("人民文学出版社", "上海译文出版社", "生活·读书·新知三联书店", "中信出版社", "商务印书馆",
              "译林出版社", "北京大学出版社", "广西师范大学出版社", "南海出版公司", "作家出版社",
              "浙江人民出版社", "中华书局", "湖南文艺出版社", "四川人民出版社", "重庆出版社")


def generated(count: int, seed: int = 6) -> list[dict]:
    """``count`` Chinese-like book records with valid 978-7 ISBNs; topic
    words are drawn with skewed weights so keywords match some books, not most."""
    rnd = random.Random(seed)
    weights = [1 / (rank + 2) for rank in range(len(TOPICS))]
    out = []
    for i in range(count):
        parts = rnd.sample(WORDS, rnd.choice((1, 2)))
        if rnd.random() < 0.45:
            parts.insert(rnd.randrange(len(parts) + 1), rnd.choices(TOPICS, weights)[0])
        title = "的".join(parts[:2]) + "".join(parts[2:]) + rnd.choice(FORMS)
        author = rnd.choice(SURNAMES) + "".join(rnd.choices(GIVEN, k=rnd.choice((1, 2))))
        out.append({
            "isbn": isbn13(f"9787{i:08d}"), "title": title, "subtitle": "", "author": [author],
            "translator": [], "publisher": rnd.choice(PUBLISHERS),
            "pubdate": f"{rnd.randint(1980, 2024)}-{rnd.randint(1, 12)}",
            "price": f"{rnd.randint(18, 128)}.00元", "pages": str(rnd.randint(120, 900)),
            "binding": rnd.choice(("平装", "精装", "")), "image": "",
            "summary": "".join(rnd.choices(WORDS + TOPICS, k=12)),
        })
    return out


def catalog(count: int, path: str | None) -> list[dict]:
    """The benchmark catalog: from ``path`` when given, else generated."""
    return repeated(read_records(path), count) if path else generated(count)
