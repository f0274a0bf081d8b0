"""Minutes (会议纪要): draft → attendees' amendment window → approved and locked; decisions
(议定事项) become tracked action items (待办事项) that can spawn a referral."""
