"""What every /api/v1/ resource shares: paging, permissions, errors and form validation."""
