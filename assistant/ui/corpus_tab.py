"""资料库: upload prior reports and policies, list and delete them, rebuild the index, and search
with citations (file, heading, snippet)."""

from __future__ import annotations

from pathlib import PurePosixPath

import pandas as pd
import streamlit as st

from assistant.ui import resources
from assistant.ui.highlight import citation_parts
from assistant.ui.labels import settings_words
from assistant.ui.markup import md

S = st.session_state
KIND_CHOICES = {"": "自动识别", "report": "报告", "policy": "政策制度", "notice": "通知", "other": "其他"}


def _limits() -> tuple[tuple[str, ...], int]:
    from assistant.corpus.loaders import SUPPORTED_SUFFIXES, max_file_bytes

    return SUPPORTED_SUFFIXES, max_file_bytes()


def render() -> None:
    st.subheader("资料库")
    st.caption("往年报告、政策制度和通知：起草时检索相似段落作为写法参考，并在回答中注明出处。")
    try:
        index = resources.corpus_index()
    except Exception as exc:  # the rest of the app works without the corpus
        st.error(md(f"资料库无法打开：{settings_words(str(exc))}"))
        _repair_button("corpus_repair_broken")
        return
    notice = S.pop("corpus_notice", None)
    if notice:
        getattr(st, notice[0])(notice[1])
    _upload(index)
    _documents(index)
    _search(index)


def _upload(index) -> None:
    suffixes, limit = _limits()
    with st.expander("上传文档", expanded=False):
        files = st.file_uploader(
            f"支持 {'、'.join(suffixes)}，单个文件不超过 {limit // (1024 * 1024)} MB",
            type=[s.lstrip(".") for s in suffixes],
            accept_multiple_files=True,
            key="corpus_upload",
            max_upload_size=max(1, limit // (1024 * 1024)),
        )
        kind_col, year_col = st.columns(2)
        kind = kind_col.selectbox("文档类型", list(KIND_CHOICES), format_func=KIND_CHOICES.get, key="corpus_kind")
        year_text = year_col.text_input("年度（可不填，自动识别）", key="corpus_year")
        if st.button("加入资料库", disabled=not files, key="corpus_ingest", type="primary"):
            _ingest(index, files or [], kind or None, year_text.strip(), suffixes, limit)
            st.rerun()


def _ingest(index, files, kind, year_text: str, suffixes, limit: int) -> None:
    from assistant.corpus.index import Upload
    from assistant.uploads import save_upload

    year = None
    if year_text:
        if not year_text.isdigit() or len(year_text) != 4:
            S["corpus_notice"] = ("error", f"年度应为四位数字（填写的是：“{year_text}”）。")
            return
        year = int(year_text)
    rejected, uploads = [], []
    for file in files:
        data = file.getvalue()
        suffix = PurePosixPath(file.name).suffix.lower()
        if suffix not in suffixes:
            rejected.append(f"{file.name}：不支持的文件类型 {suffix or '（无扩展名）'}")
        elif len(data) > limit:
            rejected.append(f"{file.name}：文件过大（{len(data) / 1024 / 1024:.1f} MB），上限 {limit // (1024 * 1024)} MB")
        else:
            uploads.append(Upload(file.name, data))
    with st.spinner("正在切分并建立索引…"):
        report = index.ingest(uploads, kind=kind, year=year) if uploads else None
    lines = [f"- {r}" for r in rejected]
    if report is not None:
        by_name = {u.name: u for u in uploads}
        for result in report.results:
            lines.append(f"- {result.file}：{result.message}")
            if result.ok and result.file in by_name:
                save_upload(result.file, by_name[result.file].data)  # kept for 重新索引
    summary = report.summary() if report is not None else "没有可入库的文件。"
    ok = not rejected and (report is None or report.ok)
    S["corpus_notice"] = ("success" if ok else "warning", summary + "\n\n" + "\n".join(lines))


def _documents(index) -> None:
    docs = index.list_documents()
    st.markdown(f"**已入库文档（{len(docs)} 个，{index.count()} 个片段）**")
    if docs:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "标题": d.title or "—",
                        "类型": d.kind_label,
                        "年度": str(d.year) if d.year else "—",
                        "单位": d.unit or "—",
                        "来源": d.source or "—",
                        "片段数": d.chunks,
                        "字数": d.chars,
                    }
                    for d in docs
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        choices = {d.doc_id: f"{d.title or d.file}（{d.source}）" for d in docs}
        left, right = st.columns([3, 1])
        chosen = left.selectbox("选择文档", list(choices), format_func=choices.get, key="corpus_delete_choice")
        right.markdown("&nbsp;")
        if right.button("删除所选文档", key="corpus_delete"):
            from assistant.uploads import remove_upload

            doc = index.find_document(chosen)
            removed = index.delete(chosen)
            if doc is not None:
                remove_upload(doc.source)
            S["corpus_notice"] = ("success", f"已删除“{choices[chosen]}”（{removed} 个片段）。")
            st.rerun()
    else:
        st.info("资料库是空的：请上传文档，或点击“重新索引”载入示例资料。")
    if st.button("重新索引", key="corpus_reindex", help="清空索引，重新切分示例资料和已上传的文档"):
        from assistant.uploads import reindex

        with st.spinner("正在重新建立索引…"):
            report = reindex(index)
        S["corpus_notice"] = ("success" if report.ok else "warning", "重新索引完成。" + report.summary())
        st.rerun()
    _repair_button("corpus_repair")


def _repair_button(key: str) -> None:
    """修复: rebuild a damaged index from the documents' own records (index --repair)."""
    if not st.button("修复", key=key, help="检索库损坏或检索出错时使用：按文档记录重新导入，损坏的文件夹改名保留，不删除任何文件"):
        return
    from assistant.corpus.repair import repair

    with st.spinner("正在修复资料库…"):
        try:
            report = repair()
        except Exception as exc:  # another process holds the lock too long, or the disk refuses
            S["corpus_notice"] = ("error", f"修复失败：{exc}")
        else:
            S["corpus_notice"] = ("success" if report.ok else "warning", "\n\n".join(report.lines()))
    resources.reset_corpus_index()
    st.rerun()


def _search(index) -> None:
    st.markdown("**检索**")
    query_col, k_col, kind_col, year_col = st.columns([4, 1, 1.4, 1.2])
    query = query_col.text_input("检索内容", key="corpus_query", placeholder="例如：三公经费执行情况")
    k = k_col.number_input("条数", min_value=1, max_value=20, value=5, key="corpus_k")
    kind = kind_col.selectbox("类型", list(KIND_CHOICES), format_func=lambda v: "全部" if not v else KIND_CHOICES[v], key="corpus_search_kind")
    year_text = year_col.text_input("年度", key="corpus_search_year", placeholder="全部")
    if not query.strip():
        return
    year = int(year_text) if year_text.strip().isdigit() else None
    if year_text.strip() and year is None:
        st.warning("年度应为数字，已忽略。")
    passages = index.search(query, k=int(k), kind=kind or None, year=year)
    if not passages:
        st.info("没有找到相关段落。")
        return
    for i, passage in enumerate(passages, start=1):
        parts = citation_parts(passage)
        with st.container(border=True):
            # The citation once: the passage's own citation line when it has one, else file and heading.
            cite = passage.citation() if hasattr(passage, "citation") else ""
            if not cite:
                name = f"《{parts['title']}》" if parts["title"] else ""
                heading = f" ›「{parts['heading']}」" if parts["heading"] else ""
                cite = f"{name}{parts['file']}{heading}"
            st.markdown(f"**[{i}]** {md(cite)}")
            if parts["score"] is not None:
                st.caption(f"相关度 {parts['score']:.3f}")
            st.markdown(md(parts["snippet"]))
            with st.expander("查看全文片段"):
                st.text(parts["text"])
