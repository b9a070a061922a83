# Petition content is not managed in the admin: the system administrator must not read it.
