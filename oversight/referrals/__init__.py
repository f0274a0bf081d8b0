"""Referrals both ways: what the NPC standing committee refers to the procuratorate and what the
procuratorate reports to it, tracked from sending to evaluation, with every deadline visible."""
