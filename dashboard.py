import streamlit as st

from app import data
from app.shell import coming_soon, page_setup
from metrics.formatting import money, share
from metrics.overview import spend_split

ctx = page_setup("Overview", ":material/dashboard:")

q = ctx.filters.quarter
by_quarter = data.spend_by_quarter(ctx.url, ctx.status.version, ctx.calendar.start_month,
                                   q.previous() if q else None, q, ctx.filters.departments)
split = spend_split(by_quarter, q)

if split is None:
    st.info(f"No spend is dated in {q.label if q else 'any quarter'} for {ctx.filters.department_label.lower()}.")
else:
    st.subheader("Technology spend this quarter")
    st.caption(split.sentence)
    with st.container(horizontal=True):
        st.metric("Total technology spend", money(split.total), split.total_delta_label, delta_color="off",
                  border=True, help="Sum of all spend lines dated in the quarter; credits net off.")
        for dept in ("Marketing", "IT", "Joint"):
            st.metric(f"{dept} spend", money(split.by_department.get(dept)),
                      share(split.shares.get(dept)) + " of total" if split.shares.get(dept) is not None else None,
                      delta_color="off", delta_arrow="off", border=True)

coming_soon("the five headline tiles (spend vs budget, marketing share, money at stake, KPIs on target, "
            "request lead time), small key charts and the quarter's story in plain words.")
