-- Quality runs also follow data loads: a loader's NOTIFY datameesh_data_loaded makes the API measure at once, recorded
-- with trigger 'load'. (The constraint is the column CHECK of data_product_platform, under PostgreSQL's default name.)
ALTER TABLE datameesh.quality_runs DROP CONSTRAINT quality_runs_trigger_check;
ALTER TABLE datameesh.quality_runs
    ADD CONSTRAINT quality_runs_trigger_check CHECK (trigger IN ('startup', 'schedule', 'manual', 'load'));
