"""When things are due: the SLA policy (sla.yml), business hours and holidays (business_hours.yml)."""
