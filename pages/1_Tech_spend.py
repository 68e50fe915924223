from app.shell import coming_soon, page_setup

ctx = page_setup("Tech spend", ":material/payments:")

coming_soon("the marketing / IT split, budget against actual, vendor overlap, shadow IT, Run / Grow / Transform and drill-down to invoice lines.")
