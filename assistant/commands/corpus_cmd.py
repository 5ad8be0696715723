"""`index` and `search`: build the corpus index and query it from the command line.

    python -m assistant index [PATH ...] [--rebuild] [--kind K --year Y --unit U] [--list] [--delete DOC]
    python -m assistant index --repair
    python -m assistant search "QUERY" [-k 5] [--kind report] [--year Y] [--unit U] [--mode hybrid] [--json]

Exit codes of `index` (README): 0 every file indexed or unchanged; 1 `--delete` of a document not in
the index; 2 nothing could be read (every file refused, or the index cannot be opened or is busy);
3 a partial result (some files refused, the others indexed; `--repair` that could not bring back
every document).
"""

from __future__ import annotations

import argparse
import json
import sys

from assistant.corpus.metadata import KIND_LABELS, KINDS
from assistant.corpus.retrieval import MODES


def register(subparsers) -> None:
    index = subparsers.add_parser(
        "index", help="把报告、政策等文档导入检索库", description="导入文档（.txt .md .docx .pdf .xlsx）到检索库。"
    )
    index.add_argument("paths", nargs="*", metavar="PATH", help="文件或文件夹（默认：corpus/）")
    index.add_argument("--rebuild", action="store_true", help="重建检索库：在旁边建好新索引后再切换（期间检索照常）")
    index.add_argument(
        "--repair", action="store_true", help="修复损坏的检索库：按文档记录重新导入（损坏的文件夹改名保留，不会删除）"
    )
    index.add_argument("--kind", choices=KINDS, help="指定文档类型（覆盖自动判断）")
    index.add_argument("--year", type=int, help="指定年度（覆盖自动判断）")
    index.add_argument("--unit", help="指定单位（覆盖自动判断）")
    index.add_argument("--list", action="store_true", help="列出检索库中的文档")
    index.add_argument("--delete", metavar="DOC", help="删除文档（文档编号、路径或文件名）")
    index.set_defaults(handler=run_index)

    search = subparsers.add_parser("search", help="在检索库中查找相关段落", description="混合检索（关键词 + 向量）。")
    search.add_argument("query", metavar="QUERY", help="查询内容")
    search.add_argument("-k", type=int, default=5, help="返回条数（默认 5）")
    search.add_argument("--kind", choices=KINDS, help="只查某类文档")
    search.add_argument("--year", type=int, help="只查某年度")
    search.add_argument("--unit", help="只查某单位（包含匹配）")
    search.add_argument("--mode", choices=MODES, default="hybrid", help="检索方式（默认 hybrid）")
    search.add_argument("--json", action="store_true", help="以 JSON 输出")
    search.set_defaults(handler=run_search)


def _open_index():
    from assistant.corpus import default_index

    return default_index()


def _print_documents(index) -> None:
    docs = index.list_documents()
    if not docs:
        print("检索库为空。")
        return
    print(f"检索库中共有 {len(docs)} 个文档：")
    for doc in docs:
        year = f"{doc.year}年" if doc.year else "年度未知"
        unit = doc.unit or "单位未知"
        print(f"  [{doc.doc_id}] {doc.title}（{doc.source}）{KIND_LABELS.get(doc.kind, doc.kind)}，{year}，{unit}，{doc.chunks} 个片段")


def run_repair() -> int:
    from assistant.corpus.repair import repair
    from assistant.corpus.store_lock import StoreBusy

    try:
        report = repair()
    except StoreBusy as error:
        print(str(error), file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    # The store is usable again either way; documents it could not bring back make it partial.
    return 0 if report.ok else 3


def run_index(args: argparse.Namespace) -> int:
    from assistant.corpus.index import sample_corpus_dir
    from assistant.corpus.store_lock import StoreBusy

    if args.repair:
        return run_repair()
    try:
        return _run_index(args, sample_corpus_dir)
    except StoreBusy as error:
        print(str(error), file=sys.stderr)
        return 2


def _run_index(args: argparse.Namespace, sample_corpus_dir) -> int:
    try:
        index = _open_index()
    except Exception as error:  # a server that is down, a damaged store
        print(f"无法打开检索库：{error}", file=sys.stderr)
        print("可运行 python -m assistant index --repair 按文档记录修复检索库（不会删除任何文件）。", file=sys.stderr)
        return 2
    if args.list and not args.paths and not args.delete and not args.rebuild:
        _print_documents(index)
        return 0
    if args.delete:
        removed = index.delete(args.delete)
        if not removed:
            print(f"检索库中没有文档“{args.delete}”（或文件名不唯一，请用文档编号）。", file=sys.stderr)
            return 1
        print(f"已删除“{args.delete}”，共 {removed} 个片段。")
        if not args.paths and not args.rebuild:
            return 0
    paths = args.paths or [str(sample_corpus_dir())]
    if args.rebuild:
        report = index.rebuild(paths, kind=args.kind, year=args.year, unit=args.unit)
        print("已重建检索库（新索引建好后切换）。")
    else:
        report = index.ingest(paths, kind=args.kind, year=args.year, unit=args.unit)
    for result in report.results:
        mark = "–" if result.status == "skipped" else ("✓" if result.ok else "✗")
        print(f"{mark} {result.file}：{result.message}")
    print(report.summary())
    if args.list:
        _print_documents(index)
    return ingest_exit_code(report)


def ingest_exit_code(report) -> int:
    """0 every file read (skipped links and hidden files are not failures); 3 some files refused
    but others indexed (a partial result); 2 files refused and none readable."""
    if report.ok:
        return 0
    readable = sum(report.count(status) for status in ("added", "updated", "unchanged"))
    return 3 if readable else 2


def run_search(args: argparse.Namespace) -> int:
    from assistant.corpus.index import as_json_items

    try:
        index = _open_index()
        passages = index.search(args.query, k=args.k, kind=args.kind, year=args.year, unit=args.unit, mode=args.mode)
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    except Exception as error:
        print(f"检索失败：{error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(as_json_items(passages), ensure_ascii=False, indent=2))
        return 0
    if index.is_empty():
        print("检索库为空，请先运行：python -m assistant index")
        return 1
    if not passages:
        print("没有找到相关段落。")
        return 0
    for rank, passage in enumerate(passages, start=1):
        print(f"【{rank}】{passage.citation()}  相关度 {passage.score:.4f}")
        print(f"    {passage.snippet}")
    return 0
