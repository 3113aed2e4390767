"""The leading group's dashboard (领导驾驶舱): where the campaign stands, in the user's scope, with drill-down."""
