"""The operators' review loop: collect what customers wrote, label it, retrain."""
