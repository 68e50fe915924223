from app.shell import coming_soon, page_setup

ctx = page_setup("Customer experience", ":material/sentiment_satisfied:")

coming_soon("the scorecard of jointly owned KPIs against agreed targets, the shared KPI glossary and target agreement.")
