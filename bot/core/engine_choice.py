"""The names of the two detection engines a server, a setting or a command can choose.

Their own module, so that choosing one costs no import of the model's stack (numpy,
onnxruntime) where only the rules are wanted.
"""

RULES_ONLY = "rules"
RULES_AND_MODEL = "rules+model"
