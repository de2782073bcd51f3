/* Put the trigger point assistant on any page with one tag:
 *   <script src="https://ASSISTANT-HOST/web/embed.js" async></script>
 * It adds a chat button in the corner that opens the assistant's own page in
 * a frame, so the conversation, its storage and its styles stay on the
 * assistant's origin and nothing of the host page leaks in or out.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.getElementById("tpa-embed-button")) return;
  var origin = new URL(script.src, location.href).origin;

  var frame = document.createElement("iframe");
  frame.src = origin + "/chat";
  frame.title = "Trigger point assistant chat";
  frame.id = "tpa-embed-frame";
  frame.setAttribute("allow", "microphone");
  var frameStyle = frame.style;
  frameStyle.position = "fixed"; frameStyle.right = "16px"; frameStyle.bottom = "84px";
  frameStyle.width = "min(400px, calc(100vw - 32px))"; frameStyle.height = "min(640px, calc(100vh - 110px))";
  frameStyle.border = "1px solid #d7dce2"; frameStyle.borderRadius = "12px"; frameStyle.boxShadow = "0 8px 30px rgba(0,0,0,.18)";
  frameStyle.zIndex = "2147483000"; frameStyle.background = "#fff"; frameStyle.display = "none";

  var button = document.createElement("button");
  button.type = "button";
  button.id = "tpa-embed-button";
  button.textContent = "Ask about your pain";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "tpa-embed-frame");
  var buttonStyle = button.style;
  buttonStyle.position = "fixed"; buttonStyle.right = "16px"; buttonStyle.bottom = "16px"; buttonStyle.zIndex = "2147483000";
  buttonStyle.padding = "12px 18px"; buttonStyle.borderRadius = "24px"; buttonStyle.border = "0";
  buttonStyle.background = "#0072b2"; buttonStyle.color = "#fff"; buttonStyle.font = "600 15px system-ui, sans-serif"; buttonStyle.cursor = "pointer";

  button.addEventListener("click", function () {
    var open = frameStyle.display === "none";
    frameStyle.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) frame.focus();
  });
  document.body.appendChild(frame);
  document.body.appendChild(button);
})();
