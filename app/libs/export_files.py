"""The data export's ZIP: every table as JSON and as CSV, and a README.txt
describing every column. Built in memory: one user's data is small.

CSV files start with a UTF-8 byte order mark, which is what makes Excel read
them as UTF-8 (without it Chinese titles come out garbled); JSON files are
plain UTF-8."""
import csv
import io
import json
import zipfile

# kind: (what it is, [(column, meaning)]); the order is the files' column order.
COLUMNS = {
    "account": ("你的账号（不含密码和登录凭据）", [
        ("id", "账号编号"), ("nickname", "昵称"), ("email", "邮箱"),
        ("beans", "当前鱼豆（十进制字符串，如 1.5）"), ("bean_debt", "撤回赠书时欠下、尚未抵扣的鱼豆"),
        ("send_counter", "已送出的书数"), ("receive_counter", "已收到的书数"),
        ("mail_off", "关闭了邮件的通知类别，逗号分隔"), ("created", "注册时间（UTC）")]),
    "gifts": ("你的赠送清单，包括已送出和已撤回的", [
        ("id", "赠书编号"), ("isbn", "ISBN-13"), ("book_title", "书名"),
        ("status", "open：赠送中；given：已送出；withdrawn：你已撤回"),
        ("condition", "品相代码：unsaid/new/like_new/marked/damaged"), ("condition_label", "品相"),
        ("condition_note", "品相说明"), ("created", "加入时间（UTC）")]),
    "wishes": ("你的心愿清单，包括已实现和已撤回的", [
        ("id", "心愿编号"), ("isbn", "ISBN-13"), ("book_title", "书名"),
        ("status", "open：想要；fulfilled：已收到；withdrawn：你已撤回"), ("created", "加入时间（UTC）")]),
    "drifts": ("你请求的书和别人向你请求的书（鱼漂）", [
        ("id", "鱼漂编号"), ("role", "requester：你是请求者；gifter：你是赠书者"),
        ("status", "状态代码"), ("status_label", "状态（从你的角度）"), ("isbn", "ISBN-13"),
        ("book_title", "书名"), ("book_author", "作者"), ("other_party", "对方昵称"),
        ("message", "请求者的留言"),
        ("recipient_name", "收件人；赠书者只在同意后、交易结束前可见，已抹去的为空"),
        ("address", "收件地址；规则同上"), ("mobile", "收件人手机；规则同上"),
        ("address_erased", "交易结束后邮寄信息是否已被抹去"), ("tracking", "赠书者填写的寄送说明"),
        ("problem", "请求者报告的问题"), ("created", "请求时间（UTC）"),
        ("moved_at", "进入当前状态的时间（UTC）"), ("closed_at", "结束时间（UTC），未结束为空")]),
    "ledger": ("鱼豆明细：每一次鱼豆变化", [
        ("id", "记录编号"), ("time", "时间（UTC）"), ("delta", "变化（十进制字符串）"),
        ("reason", "原因代码"), ("reason_label", "原因"), ("gift_id", "相关赠书编号"),
        ("drift_id", "相关鱼漂编号")]),
    "notices": ("站内通知", [
        ("id", "通知编号"), ("time", "时间（UTC）"), ("kind", "类别代码"), ("isbn", "ISBN-13"),
        ("book_title", "书名"), ("actor", "对方昵称"), ("note", "附言"), ("read", "是否已读"),
        ("drift_id", "相关鱼漂编号"), ("gift_id", "相关赠书编号")]),
}

README_HEAD = """鱼书（fisher）个人数据导出
==========================

这个压缩包含有鱼书保存的关于你的全部数据，导出于 {date}（UTC）。
每类数据各有两个文件：.json（UTF-8）和 .csv（UTF-8，带 BOM，可直接用 Excel 打开）。
时间均为 UTC。已撤回的赠书和心愿也包括在内（status 为 withdrawn），因为它们是你的历史记录。
不包括：密码（只保存了它的散列，也不导出）、登录凭据和邮件发送队列的内部状态。
CSV 中以 = + - @ 开头的文字（不是数字的）前加了一个单引号，以免表格软件把它当作公式执行。
别人的邮寄信息只在你作为赠书者、同意请求之后到交易结束之前可见，与鱼漂页面的规则相同。
"""


def _csv_bytes(rows: list[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_csv_value(row[name]) for name in columns)
    return out.getvalue().encode("utf-8-sig")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value):
    """A cell's text. Text that a spreadsheet would run as a formula (a book
    title or nickname someone else wrote, starting with "=") gets a leading
    apostrophe; numbers such as "-1.0" stay numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def readme(date: str) -> str:
    parts = [README_HEAD.format(date=date)]
    for kind, (what, columns) in COLUMNS.items():
        parts.append(f"\n{kind}.json / {kind}.csv — {what}\n")
        parts.extend(f"  {name}: {meaning}\n" for name, meaning in columns)
    return "".join(parts)


def export_zip(tables: dict[str, list[dict]], date: str) -> bytes:
    """The ZIP of ``tables`` (kind: rows, the kinds of ``COLUMNS``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(date).encode("utf-8"))
        for kind, (_, described) in COLUMNS.items():
            columns = [name for name, _ in described]
            rows = tables[kind]
            data = rows[0] if kind == "account" else rows
            archive.writestr(f"{kind}.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
            archive.writestr(f"{kind}.csv", _csv_bytes(rows, columns))
    return buffer.getvalue()
