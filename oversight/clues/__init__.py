"""线索征集端口: clues from the public, liaison stations and deputies, triaged by NPC staff."""
