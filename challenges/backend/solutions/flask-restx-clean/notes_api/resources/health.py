from flask_restx import Namespace, Resource

ns = Namespace("health", description="Liveness")


@ns.route("")
class Health(Resource):
    def get(self) -> dict[str, str]:
        return {"status": "ok"}
