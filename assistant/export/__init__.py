"""Export stage: a drafted Report to Markdown and to a 公文-format .docx."""
