"""Channel-agnostic dialog engine: flows declared as steps, state stored per user."""
