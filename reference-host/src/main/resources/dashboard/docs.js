// The API browser reads this host's own description; "Try it out" sends the token given under Authorize.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
