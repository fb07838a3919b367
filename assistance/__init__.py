"""Measures, plans, loans, projects, funds and ledgers (帮扶措施、项目与资金)."""
