"""Our Rasa NLU components, named in config.yml: the sentence encoder's features, the linear
intent classifier and the guards placed before the FallbackClassifier."""
