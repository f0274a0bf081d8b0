"""Exchange activities (交流活动): seminars, personnel exchanges, deputies at procuratorial hearings
and court observation, joint research — invitations, RSVP, attendance and participants' feedback."""
