"""Importers of public OpenStack data into seed files.

``releases`` reads openstack/releases (series and their week-by-week
schedules), ``nova_specs`` reads an index of the nova-specs repository, and
``generated`` writes what they give as seed files marked as generated, so a
later import replaces them and never a file written by hand.
"""
