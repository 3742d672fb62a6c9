select
    campaign_id,
    campaign_name,
    campaign_type,
    channel,
    start_date,
    end_date,
    budget,
    spent,
    status as campaign_status
from {{ source('marketing', 'campaigns') }}
