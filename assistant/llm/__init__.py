"""The model client: one OpenAI-compatible chat interface for drafting, chat and the judge.

`client` builds the LangChain chat model and calls it (retries, timeouts, streaming);
`model_settings` reads the model options (environment, the app's 设置); `budget` counts tokens
with tiktoken from its seeded cache and trims prompts to a budget.
"""
