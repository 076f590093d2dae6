"""Running the processes: the launcher, the Rasa and action servers, the cluster behind nginx,
local secrets."""
