"""The automation sensor: evaluates every asset's automation condition (lib/automation.py).

It runs in the code server (`use_user_code_server`) because the retrain condition counts new
summaries with Python; RUNNING by default so a new export flows through without a job.
"""

import dagster as dg

automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    use_user_code_server=True,
    minimum_interval_seconds=30,
    description="Materializes what lib/automation.py's conditions ask for: per-export assets "
    "after their upstream partition, the dataset and fine-tune chain when enough new summaries "
    "exist (at most once per SECONDBRAIN_RETRAIN_CRON).",
)
