// The API reference page: Swagger UI from the local vendor folder, no inline script.
window.SwaggerUIBundle({
  url: document.body.dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
});
