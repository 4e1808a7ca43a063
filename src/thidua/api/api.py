from ninja import NinjaAPI

api = NinjaAPI(title="thidua API", version="1", urls_namespace="api")
