/* Trigger point assistant: the web chat page.
 *
 * Talks to the assistant over socket.io with session persistence: the
 * session id and the transcript live in localStorage, so a reload shows the
 * conversation and carries on with it. Every string from a user or the bot
 * goes into the page as text (textContent / text nodes), never as HTML.
 */
(function () {
  "use strict";

  var STORE_SESSION = "tpa.session";
  var STORE_LOG = "tpa.transcript";
  var MAX_LOG = 200;
  var DELETED_MARK = "deleted this conversation";
  var PALETTE = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00"];

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var statusLine = document.getElementById("status");

  var sessionId = storedSession();
  var confirmed = false;
  var pending = [];

  // ---------------------------------------------------------------- storage

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
  }

  function storedSession() {
    var id = null;
    try { id = localStorage.getItem(STORE_SESSION); } catch (e) { /* private mode */ }
    if (!id) {
      id = newId();
      try { localStorage.setItem(STORE_SESSION, id); } catch (e) { /* private mode */ }
    }
    return id;
  }

  function transcript() {
    try { return JSON.parse(localStorage.getItem(STORE_LOG) || "[]"); } catch (e) { return []; }
  }

  function remember(entry) {
    var entries = transcript();
    entries.push(entry);
    try { localStorage.setItem(STORE_LOG, JSON.stringify(entries.slice(-MAX_LOG))); } catch (e) { /* full */ }
  }

  function forgetConversation() {
    try { localStorage.removeItem(STORE_LOG); } catch (e) { /* private mode */ }
    sessionId = newId();
    try { localStorage.setItem(STORE_SESSION, sessionId); } catch (e) { /* private mode */ }
    confirmed = false;
    if (socket && socket.connected) socket.emit("session_request", { session_id: sessionId });
  }

  // ---------------------------------------------------------------- text

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // **bold** and _italic_ as elements; everything else stays plain text.
  function inline(parent, text) {
    var pattern = /\*\*([^*]+)\*\*|(^|[\s(])_([^_]+)_(?=$|[\s).,:;!?])/g;
    var last = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      var start = match.index + (match[2] ? match[2].length : 0);
      parent.appendChild(document.createTextNode(text.slice(last, start)));
      parent.appendChild(el(match[1] !== undefined ? "strong" : "em", null, match[1] !== undefined ? match[1] : match[3]));
      last = pattern.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }

  // Paragraphs per line, "1. ..." lines as a numbered list.
  function markdown(text) {
    var box = document.createDocumentFragment();
    var list = null;
    String(text).split("\n").forEach(function (line) {
      var item = /^\s*(\d+)\.\s+(.*)$/.exec(line);
      if (item) {
        if (!list) { list = el("ol"); list.start = Number(item[1]); box.appendChild(list); }
        list.appendChild(inline(el("li"), item[2]));
        return;
      }
      list = null;
      if (line.trim()) box.appendChild(inline(el("p"), line));
    });
    return box;
  }

  // ---------------------------------------------------------------- rendering

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function showUser(text) {
    log.appendChild(el("div", "msg user", text));
    scrollDown();
  }

  function bodymapFigure(payload) {
    var src = typeof payload.bodymap === "string" ? payload.bodymap : "";
    if (src.indexOf("/bodymap.svg?") !== 0) return null;  // only our own pictures
    var names = (payload.muscles || []).map(function (m) { return m.name; }).join(", ");
    var figure = el("figure", "bodymap");
    var img = el("img");
    img.src = src;
    img.alt = "Body map: where " + names + " send pain. Solid shading is the main pain zone, stripes the spillover zone, circles the trigger points.";
    figure.appendChild(img);
    figure.appendChild(el("figcaption", null, "Where these muscles send pain (solid: main zone, striped: spillover, circles: trigger points)."));
    return figure;
  }

  function muscleCards(payload) {
    var box = el("div", "msg bot suggestions");
    box.appendChild(el("p", "sr-only", "Muscle suggestions"));
    var cards = el("ol", "cards");
    (payload.muscles || []).forEach(function (muscle, rank) {
      var card = el("li", "card");
      card.setAttribute("data-muscle", String(muscle.id || ""));
      card.style.setProperty("--card-colour", PALETTE[rank % PALETTE.length]);
      card.appendChild(el("h3", null, (rank + 1) + ". " + (muscle.name || "")));
      if (muscle.why) card.appendChild(inline(el("p", "why"), String(muscle.why)));
      if (muscle.release_tip) {
        var tip = el("p", "tip");
        tip.appendChild(el("span", "label", "Release tip: "));
        tip.appendChild(document.createTextNode(String(muscle.release_tip)));
        card.appendChild(tip);
      }
      if (muscle.caution) {
        var caution = el("p", "caution");
        caution.appendChild(el("span", "label", "Caution: "));
        caution.appendChild(document.createTextNode(String(muscle.caution)));
        card.appendChild(caution);
      }
      cards.appendChild(card);
    });
    box.appendChild(cards);
    var figure = bodymapFigure(payload);
    if (figure) box.appendChild(figure);
    return box;
  }

  function buttonsOf(data) {
    var raw = data.quick_replies || data.buttons || [];
    return Array.isArray(raw) ? raw : [];
  }

  function ownBodymapPicture(data) {
    var src = data.attachment && data.attachment.payload && data.attachment.payload.src;
    if (typeof src !== "string") return false;
    var url = new URL(src, window.location.href);
    return url.origin === window.location.origin && url.pathname === "/bodymap.png";
  }

  function ownDiaryChart(data) {
    var src = data.attachment && data.attachment.payload && data.attachment.payload.src;
    if (typeof src !== "string") return false;
    var url = new URL(src, window.location.href);
    return url.origin === window.location.origin && /^\/diary\/[A-Za-z0-9_-]+\/chart\.png$/.test(url.pathname);
  }

  function showBot(data) {
    var node = null;
    var custom = data.custom;
    if (custom && custom.type === "muscle_suggestions") {
      node = muscleCards(custom);
    } else if (custom && custom.type === "progress" && typeof custom.image === "string") {
      // The chart as SVG: sharp at any size. The PNG that follows is for other clients.
      node = el("div", "msg bot chart");
      var chart = el("img");
      chart.src = custom.image;
      chart.alt = "Chart of your pain scores over the last weeks";
      node.appendChild(chart);
    } else if (custom && custom.type === "summary") {
      node = el("div", "msg bot downloads");
      [["Download the PDF", custom.pdf], ["Download the CSV", custom.csv]].forEach(function (link) {
        if (typeof link[1] !== "string" || link[1].indexOf("/diary/") !== 0) return;
        var a = el("a", null, link[0]);
        a.href = link[1];
        a.setAttribute("download", "");
        node.appendChild(a);
        node.appendChild(document.createTextNode(" "));
      });
    } else if (data.text) {
      node = el("div", "msg bot");
      node.appendChild(markdown(data.text));
    } else if (ownBodymapPicture(data) || ownDiaryChart(data)) {
      return;  // the same map as the figure under the cards, as a plain picture for other clients
    } else if (data.attachment && data.attachment.payload && data.attachment.payload.src) {
      node = el("div", "msg bot");
      var img = el("img");
      img.src = String(data.attachment.payload.src);
      img.alt = String(data.attachment.payload.alt || "Picture from the assistant");
      node.appendChild(img);
    } else if (data.image) {
      node = el("div", "msg bot");
      var picture = el("img");
      picture.src = String(data.image);
      picture.alt = "Picture from the assistant";
      node.appendChild(picture);
    }
    if (custom && (custom.type === "red_flag" || custom.type === "screening")) {
      // The payload follows its message: mark that message so it stands out.
      var last = log.lastElementChild;
      if (last && last.classList.contains("bot")) last.classList.add(custom.type === "red_flag" ? "red-flag" : "screening");
    }
    if (!node) return;
    var buttons = buttonsOf(data);
    if (buttons.length) {
      var row = el("div", "buttons");
      buttons.forEach(function (b) {
        var button = el("button", null, b.title);
        button.type = "button";
        button.addEventListener("click", function () { send(String(b.title), String(b.payload || b.title)); });
        row.appendChild(button);
      });
      node.appendChild(row);
    }
    log.appendChild(node);
    scrollDown();
  }

  function notice(text) {
    log.appendChild(el("div", "msg notice", text));
    scrollDown();
  }

  // ---------------------------------------------------------------- socket

  function emitMessage(message) {
    socket.emit("user_uttered", { message: message, session_id: sessionId });
  }

  function send(shown, message) {
    message = message || shown;
    if (!message.trim()) return;
    showUser(shown);
    remember({ from: "user", text: shown });
    if (confirmed && socket.connected) emitMessage(message);
    else pending.push(message);
  }

  var socket = window.io({ path: "/socket.io", transports: ["websocket", "polling"] });

  socket.on("connect", function () {
    confirmed = false;
    statusLine.textContent = "Connecting…";
    // Always the same id: the server keeps the conversation under it.
    socket.emit("session_request", { session_id: sessionId });
  });
  socket.on("session_confirm", function (id) {
    if (id && id !== sessionId) return;  // an answer to an older request
    confirmed = true;
    statusLine.textContent = "Connected";
    document.body.setAttribute("data-session", sessionId);
    pending.splice(0).forEach(emitMessage);
  });
  socket.on("disconnect", function () {
    confirmed = false;
    statusLine.textContent = "Reconnecting…";
  });
  socket.on("bot_uttered", function (data) {
    if (!data || typeof data !== "object") return;
    if (typeof data.text === "string" && data.text.indexOf(DELETED_MARK) !== -1) {
      forgetConversation();
      while (log.firstChild) log.removeChild(log.firstChild);
      showBot(data);
      return;
    }
    showBot(data);
    remember({ from: "bot", data: data });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });

  // ---------------------------------------------------------------- voice

  // Press to talk, press again to send (or it stops by itself after
  // MAX_RECORDING_MS). The recording goes to the voice channel under the
  // same session id, so it is the same conversation as the typed one; the
  // transcript shows as the user's message and the reply is played aloud.
  var MAX_RECORDING_MS = 30000;
  var mic = document.getElementById("mic");
  var micLabel = document.getElementById("mic-label");
  var recorder = null;
  var stopTimer = null;

  function setMic(recording, label) {
    mic.setAttribute("aria-pressed", recording ? "true" : "false");
    micLabel.textContent = label;
    mic.title = label;
  }

  function play(player, blob) {
    player.src = URL.createObjectURL(blob);
    var played = player.play();
    if (played && played.catch) played.catch(function () { /* autoplay refused: the controls stay */ });
  }

  // `more`: where the rest of a long reply is being made while the first part plays.
  function playReply(audio, type, more) {
    if (!audio) return;
    var bytes = atob(audio);
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
    var player = el("audio");
    player.controls = true;
    player.dataset.part = "1";
    var last = log.lastElementChild;
    (last || log).appendChild(player);
    play(player, new Blob([buffer], { type: type || "audio/mpeg" }));
    if (!more) return;
    var rest = fetch(more)
      .then(function (r) { return r.ok ? r.blob() : null; })
      .catch(function () { return null; });
    player.addEventListener("ended", function once() {
      player.removeEventListener("ended", once);
      rest.then(function (blob) {
        if (!blob) return;
        player.dataset.part = "2";
        play(player, blob);
      });
    });
  }

  function showConnection() {
    statusLine.textContent = confirmed ? "Connected" : "Reconnecting…";
  }

  function sendRecording(blob) {
    statusLine.textContent = "Listening to your recording…";
    var body = new FormData();
    body.append("sender", sessionId);
    body.append("audio", blob, "speech." + (blob.type.indexOf("ogg") !== -1 ? "ogg" : "webm"));
    fetch("/webhooks/voice/webhook?stream=true", { method: "POST", body: body })
      .then(function (r) {
        return r.json().then(function (answer) { return { ok: r.ok, answer: answer }; });
      })
      .then(function (result) {
        showConnection();
        if (!result.ok) {
          notice("I couldn't use that recording (" + (result.answer.error || "unknown problem") + "). Please try again or type.");
          return;
        }
        var answer = result.answer;
        if (answer.transcript) {
          showUser(answer.transcript);
          log.lastElementChild.classList.add("spoken");
          remember({ from: "user", text: answer.transcript });
        }
        (answer.messages || []).forEach(function (data) {
          showBot(data);
          remember({ from: "bot", data: data });
        });
        // "next", "repeat"...: no new reply, only the next part read aloud; show it too.
        if (!(answer.messages || []).length && answer.spoken) {
          showBot({ text: answer.spoken });
          remember({ from: "bot", data: { text: answer.spoken } });
        }
        playReply(answer.audio, answer.audio_type, answer.audio_more);
      })
      .catch(function () {
        showConnection();
        notice("The recording could not be sent. Please check your connection and try again.");
      });
  }

  function startRecording() {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [];
      var type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"].filter(function (t) {
        return window.MediaRecorder.isTypeSupported(t);
      })[0];
      recorder = new window.MediaRecorder(stream, type ? { mimeType: type } : undefined);
      recorder.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) chunks.push(e.data); });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        clearTimeout(stopTimer);
        recorder = null;
        setMic(false, "Speak instead of typing");
        if (chunks.length) sendRecording(new Blob(chunks, { type: chunks[0].type || type || "audio/webm" }));
      });
      recorder.start();
      stopTimer = setTimeout(stopRecording, MAX_RECORDING_MS);
      setMic(true, "Recording: press again to send");
      statusLine.textContent = "Recording… press the microphone again to send.";
    }).catch(function () {
      notice("I can't use the microphone: please allow it for this page, or type instead.");
    });
  }

  function stopRecording() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder) {
    mic.addEventListener("click", function () { if (recorder) stopRecording(); else startRecording(); });
  } else {
    // Browsers only offer the microphone on https pages (and localhost).
    mic.disabled = true;
    setMic(false, "Voice needs a secure (https) page or a newer browser");
  }

  // ---------------------------------------------------------------- body map picker

  var picker = document.getElementById("picker");
  var pickerToggle = document.getElementById("picker-toggle");
  var pickerMap = document.getElementById("picker-map");
  var pickerChosen = document.getElementById("picker-chosen");
  var pickerSend = document.getElementById("picker-send");
  var chosen = [];  // [{area, side, name}]

  function zoneName(zone) {
    // aria-label reads "right front of the thigh (front)": keep the area's name.
    var label = zone.getAttribute("aria-label") || "";
    var name = label.replace(/\s*\([^)]*\)\s*$/, "");
    var side = zone.getAttribute("data-side");
    return side === "both" ? name : name.replace(new RegExp("^" + side + " "), "");
  }

  function sameSpot(a, b) { return a.area === b.area && a.side === b.side; }

  function refreshChosen() {
    var zones = pickerMap.querySelectorAll(".zone");
    Array.prototype.forEach.call(zones, function (zone) {
      var spot = { area: zone.getAttribute("data-area"), side: zone.getAttribute("data-side") };
      var on = chosen.some(function (c) { return sameSpot(c, spot); });
      zone.setAttribute("aria-pressed", on ? "true" : "false");
    });
    pickerChosen.textContent = chosen.length
      ? "Chosen: " + chosen.map(function (c) { return c.side === "both" ? c.name : c.name + " (" + c.side + ")"; }).join(", ")
      : "Nothing chosen yet.";
    pickerSend.disabled = !chosen.length;
  }

  function toggleZone(zone) {
    var spot = { area: zone.getAttribute("data-area"), side: zone.getAttribute("data-side"), name: zoneName(zone) };
    var before = chosen.length;
    chosen = chosen.filter(function (c) { return !sameSpot(c, spot); });
    if (chosen.length === before) chosen.push(spot);
    refreshChosen();
  }

  // A sentence the NLU reads like typed text: the areas by their names, then the side.
  function describeSpots(spots) {
    var names = [];
    spots.forEach(function (s) { if (names.indexOf("the " + s.name) === -1) names.push("the " + s.name); });
    var sides = spots.map(function (s) { return s.side; }).filter(function (s) { return s !== "both"; });
    var unique = sides.filter(function (s, i) { return sides.indexOf(s) === i; });
    var where = names.length > 1 ? names.slice(0, -1).join(", ") + " and " + names[names.length - 1] : names[0];
    var side = unique.length === 1 ? ", " + unique[0] + " side" : unique.length > 1 ? ", both sides" : "";
    return "It hurts here: " + where + side + ".";
  }

  function loadPicker() {
    if (pickerMap.firstChild) return;
    fetch("/bodymap.svg?picker=1").then(function (r) { return r.text(); }).then(function (svgText) {
      var parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
      var svg = document.importNode(parsed.documentElement, true);
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      svg.setAttribute("role", "group");
      svg.setAttribute("aria-label", "Body map: front, back, and head and neck from the side");
      pickerMap.appendChild(svg);
      refreshChosen();
    });
  }

  pickerMap.addEventListener("click", function (event) {
    var zone = event.target.closest ? event.target.closest(".zone") : null;
    if (zone) toggleZone(zone);
  });
  pickerMap.addEventListener("keydown", function (event) {
    var zone = event.target.closest ? event.target.closest(".zone") : null;
    if (zone && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      toggleZone(zone);
    }
  });
  pickerToggle.addEventListener("click", function () {
    var open = picker.hidden;
    picker.hidden = !open;
    pickerToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) loadPicker();
  });
  pickerSend.addEventListener("click", function () {
    if (!chosen.length) return;
    send(describeSpots(chosen));
    chosen = [];
    refreshChosen();
    picker.hidden = true;
    pickerToggle.setAttribute("aria-expanded", "false");
    input.focus();
  });
  document.getElementById("picker-clear").addEventListener("click", function () {
    chosen = [];
    refreshChosen();
  });

  // ---------------------------------------------------------------- history

  var history = transcript();
  history.forEach(function (entry) {
    if (entry.from === "user") showUser(entry.text);
    else if (entry.data) showBot(entry.data);
  });
  if (history.length) notice("Earlier in this conversation ↑");
  else notice("Tell me where it hurts and what it feels like, or tap the body-map button to point at it.");
})();
