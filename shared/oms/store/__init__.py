"""DynamoDB: every read and write of the service, each change of stock, money or status conditional."""
