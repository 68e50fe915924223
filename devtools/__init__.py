"""Tools for developers, not shipped to users: the headless-Chromium harness shared by the
end-to-end tests, the screenshots script and the benchmark."""
