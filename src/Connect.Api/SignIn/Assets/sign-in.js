// The sign-in page's only script (served from the page's own origin; the CSP allows nothing else). It asks the
// service for a WebAuthn challenge, lets the browser and the person's authenticator answer it, and sends the
// answer back; the service decides everything.
"use strict";

(function () {
  const page = document.querySelector("[data-connect-page]");
  const outcome = document.querySelector("[data-connect-outcome]");
  if (!page || !outcome) {
    return;
  }

  const buttons = Array.from(document.querySelectorAll("[data-connect-action]"));
  const actions = document.querySelector("[data-connect-actions]");

  // Once the person is through, nothing is left to press.
  function done() {
    for (const button of buttons) {
      button.hidden = true;
    }
    if (actions) {
      actions.hidden = true;
    }
  }

  function toBytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function show(state, message) {
    outcome.dataset.connectState = state;
    outcome.textContent = message;
    outcome.hidden = false;
  }

  function busy(on) {
    for (const button of buttons) {
      button.disabled = on;
    }
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
    if (response.status === 429) {
      return { state: "failed", message: "Too many attempts. Wait a moment and try again." };
    }
    try {
      return await response.json();
    } catch {
      return { state: "failed", message: "Something went wrong. Reload the page and try again." };
    }
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    for (const credential of options.excludeCredentials || []) {
      credential.id = toBytes(credential.id);
    }
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    for (const credential of options.allowCredentials || []) {
      credential.id = toBytes(credential.id);
    }
    return options;
  }

  function serialize(credential) {
    const response = credential.response;
    const serialized = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      serialized.response.attestationObject = toBase64url(response.attestationObject);
      serialized.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      serialized.response.authenticatorData = toBase64url(response.authenticatorData);
      serialized.response.signature = toBase64url(response.signature);
      if (response.userHandle) {
        serialized.response.userHandle = toBase64url(response.userHandle);
      }
    }
    return serialized;
  }

  function browserProblem(error) {
    if (error && error.name === "NotAllowedError") {
      return "The passkey request was cancelled or timed out. You can try again.";
    }
    if (error && error.name === "InvalidStateError") {
      return "This device already holds a passkey for this account.";
    }
    return "Your browser could not use a passkey here.";
  }

  async function run(action) {
    if (!window.PublicKeyCredential || !navigator.credentials) {
      show("failed", "This browser does not support passkeys.");
      return;
    }

    const enroll = action === "enroll";
    const base = enroll ? "/sign-in/enroll/" : "/sign-in/passkey/";
    const request = enroll
      ? { token: page.dataset.connectToken, exposureKey: page.dataset.connectExposureKey || null }
      : { exposureKey: page.dataset.connectExposureKey, mode: action };

    busy(true);
    show("working", "Waiting for your passkey\u2026");
    try {
      const begun = await post(base + "begin", request);
      if (begun.state !== "ready") {
        show("failed", begun.message);
        return;
      }

      let credential;
      try {
        credential = action === "sign-in"
          ? await navigator.credentials.get({ publicKey: requestOptions(begun.options) })
          : await navigator.credentials.create({ publicKey: creationOptions(begun.options) });
      } catch (error) {
        show("failed", browserProblem(error));
        return;
      }

      const finished = await post(base + "finish", Object.assign({}, request, {
        ceremony: begun.ceremony,
        credential: serialize(credential),
      }));
      if (finished.state === "realized" && finished.redirect) {
        show("realized", "You are signed in. Taking you back to the application\u2026");
        done();
        window.location.assign(finished.redirect);
        return;
      }
      if (finished.state === "realized" || finished.state === "enrolled") {
        done();
      }
      show(finished.state, finished.message);
    } catch {
      show("failed", "The service could not be reached. Check your connection and try again.");
    } finally {
      busy(false);
    }
  }

  for (const button of buttons) {
    button.addEventListener("click", function () {
      run(button.dataset.connectAction);
    });
  }
})();
