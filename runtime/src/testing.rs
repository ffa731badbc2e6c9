//! A scripted LLM for testing sampling tools without a model (not written yet).
