"""complaints (问题受理): problem reports from group chatter, private dialogs, ``/ticket`` and the
12345 hotline become numbered tickets, routed to departments with deadlines in working time,
overdue notices and escalation, the reporter's confirmation, duplicates, a morning digest and
exports. The hooks are in `hooks`; see docs/complaints.md."""
