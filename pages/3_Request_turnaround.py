from app.shell import coming_soon, page_setup

ctx = page_setup("Request turnaround", ":material/schedule:")

coming_soon("cycle-time percentiles, SLA breaches, backlog ageing and time waiting on marketing against time waiting on IT.")
