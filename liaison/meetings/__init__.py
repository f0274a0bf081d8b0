"""Liaison meetings (联席会议、联络会议、会商、情况通报会): invitations with RSVP, agenda items
linking referrals, conflict warnings, .ics invitations and the personal calendar feed."""
