"""Supervision models (监督模型): registered screening functions run per period, whose hits become
alerts (预警) that NPC staff confirm, dismiss or turn into oversight topics."""
