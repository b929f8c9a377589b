// OpenCommons contributor dApp: an EIP-1193 wallet (window.ethereum) through ethers v6.
import { BrowserProvider, Contract, Interface, JsonRpcProvider, formatEther, formatUnits, keccak256, toUtf8Bytes } from "ethers";

const NATIVE = "0x0000000000000000000000000000000000000000";
const SUPPORT = { For: 1, Against: 0, Abstain: 2 };
const ERC20_BALANCE = ["function balanceOf(address) view returns (uint256)"];
const ERC20 = ["function decimals() view returns (uint8)", "function symbol() view returns (string)",
               "function allowance(address owner, address spender) view returns (uint256)",
               "function approve(address spender, uint256 amount) returns (bool)"];
const PERPETUAL = (1n << 64n) - 1n;  // LicenseManager's expiry of a licence that never ends
const tokenInfo = new Map();  // token -> { decimals, symbol }, read once

// An amount in a token's own units ("1.5 TUSD"; ETH for the native token), by its decimals.
async function amountText(token, amount) {
  if (token === NATIVE) return `${formatEther(amount)} ETH`;
  if (!tokenInfo.has(token)) {
    const erc20 = new Contract(token, ERC20, reader);
    tokenInfo.set(token, { decimals: await erc20.decimals(), symbol: await erc20.symbol().catch(() => token.slice(0, 8)) });
  }
  const { decimals, symbol } = tokenInfo.get(token);
  return `${formatUnits(amount, decimals)} ${symbol}`;
}

function dateText(seconds) {
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
const $ = (id) => document.getElementById(id);
let config, provider, signer, account, contracts, errors;
const reader = new JsonRpcProvider(`${location.origin}/rpc`);

// The local API reads JSON bodies only (a foreign page cannot send them without a CORS preflight).
async function postJson(path, value) {
  const reply = await fetch(path, { method: "POST", headers: { "content-type": "application/json" },
                                    body: JSON.stringify(value) });
  return reply.json();
}

function status(kind, text) {
  const el = $("status");
  el.className = kind;
  el.textContent = text;
  el.dataset.state = kind;
}

// A revert in plain words: the custom error's name and arguments, from every contract's ABI.
function explain(err) {
  if (err?.code === "ACTION_REJECTED" || err?.code === 4001 || err?.info?.error?.code === 4001) {
    return "you rejected the request in your wallet";
  }
  const data = err?.data ?? err?.info?.error?.data ?? err?.error?.data;
  if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) {
    try {
      const parsed = errors.parseError(data);
      if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
    } catch (_) { /* unknown selector */ }
  }
  return err?.shortMessage || err?.message || String(err);
}

async function send(label, call) {
  status("pending", `${label}: waiting for your wallet…`);
  try {
    const tx = await call();
    status("pending", `${label}: pending ${tx.hash}`);
    const receipt = await tx.wait();
    status("confirmed", `${label}: confirmed in block ${receipt.blockNumber} (gas ${receipt.gasUsed})`);
    await refresh();
    return receipt;
  } catch (err) {
    status("failed", `${label} failed: ${explain(err)}`);
    return null;
  }
}

async function connect() {
  if (!window.ethereum) {
    status("failed", "No wallet found: install an EIP-1193 wallet such as MetaMask.");
    return;
  }
  const chainHex = "0x" + config.chainId.toString(16);
  if ((await window.ethereum.request({ method: "eth_chainId" })) !== chainHex) {
    await window.ethereum.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chainHex }] });
  }
  provider = new BrowserProvider(window.ethereum);
  signer = await provider.getSigner();
  account = await signer.getAddress();
  $("account").textContent = account;
  contracts = Object.fromEntries(Object.entries(config.addresses).map(
    ([name, address]) => [name, new Contract(address, config.abis[name], signer)]));
  await refresh();
}

async function register(gasless) {
  const name = $("profile-name").value.trim();
  const community = $("profile-community").value.trim();
  if (!name || !community) return status("failed", "Give a name and a community code.");
  const profile = await postJson("/api/ipfs/add", { name, commons: community, account });
  const communityId = keccak256(toUtf8Bytes(community));
  const registry = contracts.ContributorRegistry;
  if (gasless === "update") return send("Update profile", () => registry.updateProfile(profile.digest, profile.codec, communityId));
  if (!gasless) return send("Register", () => registry.register(profile.digest, profile.codec, communityId));
  status("pending", "Register: sign the request in your wallet…");
  try {
    const nonce = await registry.nonces(account);
    const deadline = Math.floor(Date.now() / 1000) + 3600;
    const domain = { name: "OpenCommons ContributorRegistry", version: "1", chainId: config.chainId,
                     verifyingContract: registry.target };
    const types = { Register: [
      { name: "account", type: "address" }, { name: "profileDigest", type: "bytes32" },
      { name: "profileCodec", type: "uint32" }, { name: "community", type: "bytes32" },
      { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }] };
    const value = { account, profileDigest: profile.digest, profileCodec: profile.codec, community: communityId,
                    nonce, deadline };
    const signature = await signer.signTypedData(domain, types, value);
    status("pending", "Register: the relayer is submitting your signed request…");
    const reply = await postJson("/api/relay/register", { ...value, nonce: nonce.toString(), signature });
    if (reply.error) throw new Error(reply.error);
    status("confirmed", `Register: confirmed, relayed in ${reply.tx} (you paid no gas)`);
    await refresh();
  } catch (err) {
    status("failed", `Register failed: ${explain(err)}`);
  }
}

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

async function refresh() {
  const registry = new Contract(config.addresses.ContributorRegistry, config.abis.ContributorRegistry, reader);
  if (account) {
    const registered = await registry.isRegistered(account);
    $("profile-state").textContent = registered ? `Registered contributor ${account}` : "Not registered yet.";
    $("profile-state").dataset.registered = String(registered);
    $("update-profile").hidden = !registered;
    $("register-gasless").hidden = registered;
  }
  const datasets = await (await fetch("/api/datasets")).json();
  const body = $("datasets").tBodies[0];
  body.replaceChildren();
  for (const d of datasets) {
    const row = body.insertRow();
    row.dataset.id = d.id;
    cell(row, d.name);
    cell(row, d.license);
    cell(row, d.commonsCode);
    cell(row, d.status);
    const content = cell(row, "", "cid");
    const link = document.createElement("a");
    link.href = config.gateway + d.content;
    link.textContent = d.content;
    content.append(link);
    cell(row, d.manifest, "cid");
    cell(row, [d.parents.length ? `parents ${d.parents.length}` : "", d.previousVersion ? "has previous" : "",
               d.nextVersion ? "has newer" : ""].filter(Boolean).join(", ") || "-");
    cell(row, String(d.attestations));
    const mine = d.contributors.find((c) => account && c.account.toLowerCase() === account.toLowerCase());
    cell(row, mine ? `${mine.shareBps / 100}%` : "-");
    const vault = new Contract(config.addresses.RoyaltyVault, config.abis.RoyaltyVault, reader);
    const owed = [];
    for (const token of config.tokens) {
      const amount = account && mine ? await vault.claimable(d.id, token, account) : 0n;
      if (amount > 0n || token === NATIVE) owed.push([token, amount]);
    }
    cell(row, (await Promise.all(owed.map(([t, a]) => amountText(t, a)))).join(", "), "claimable");
    // the licence on offer and the connected account's own: price, duration, validity and expiry
    const licences = new Contract(config.addresses.LicenseManager, config.abis.LicenseManager, reader);
    const terms = await licences.termsOf(d.id);
    let licenceText = terms.active
      ? `${await amountText(terms.token, terms.price)}, ${terms.duration === 0n ? "perpetual" : `${Number(terms.duration) / 86400} days`}`
      : "not offered";
    if (account) {
      const expiry = await licences.licenseExpiry(account, d.id);
      const valid = await licences.hasValidLicense(account, d.id);
      licenceText += expiry === 0n ? "; yours: none" : expiry === PERPETUAL ? "; yours: perpetual"
        : `; yours: ${valid ? "valid until" : "expired"} ${dateText(expiry)}`;
    }
    cell(row, licenceText, "licence");
    const actions = row.insertCell();
    const tokens = owed.filter(([, a]) => a > 0n).map(([t]) => t);
    if (tokens.length) {
      const claim = document.createElement("button");
      claim.textContent = "Claim";
      claim.className = "claim";
      claim.onclick = () => send("Claim", () => contracts.RoyaltyVault.claim([d.id], tokens));
      actions.append(claim);
      // no ETH for gas: the local relayer calls claimFor, which can only pay this account
      const gasless = document.createElement("button");
      gasless.textContent = "Claim (gasless)";
      gasless.className = "claim-gasless";
      gasless.onclick = () => relayClaim(d.id, tokens);
      actions.append(gasless);
    }
    // royalties a marketplace sent (ERC-2981) to the dataset's receiver, in ETH or any listed token
    const receiver = await vault.royaltyReceiverOf(d.id);
    const waiting = [];
    for (const token of config.tokens) {
      const held = token === NATIVE ? await reader.getBalance(receiver)
        : await new Contract(token, ERC20_BALANCE, reader).balanceOf(receiver);
      if (held > 0n) waiting.push(token);
    }
    if (waiting.length && d.status !== "Rejected") {
      const collect = document.createElement("button");
      collect.textContent = "Collect marketplace royalties";
      collect.className = "collect";
      collect.onclick = async () => {
        for (const token of waiting) {
          if (!(await send(`Collect ${token === NATIVE ? "ETH" : token}`, () => contracts.RoyaltyVault.collect(d.id, token)))) break;
        }
      };
      actions.append(collect);
    }
    const rewards = new Contract(config.addresses.ContributionRewards, config.abis.ContributionRewards, reader);
    if (account && mine && (await rewards.claimableOf(d.id, account)) > 0n) {
      const claimReward = document.createElement("button");
      claimReward.textContent = "Claim reward";
      claimReward.className = "claim-reward";
      claimReward.onclick = () => send("Claim reward", () => contracts.ContributionRewards.claimFor(account, [d.id]));
      actions.append(claimReward);
    }
    if (d.status === "Accepted") {
      const buy = document.createElement("button");
      buy.textContent = "Buy licence";
      buy.className = "buy";
      buy.onclick = async () => {
        const terms = await contracts.LicenseManager.termsOf(d.id);
        if (terms.token !== NATIVE) {
          // an ERC-20 price: the licence manager may take it only once the wallet approves it
          const erc20 = new Contract(terms.token, ERC20, signer);
          if ((await erc20.allowance(account, contracts.LicenseManager.target)) < terms.price) {
            const label = `Approve ${await amountText(terms.token, terms.price)}`;
            if (!(await send(label, () => erc20.approve(contracts.LicenseManager.target, terms.price)))) return;
          }
        }
        send("Buy licence", () => contracts.LicenseManager.buy(d.id, terms.token, terms.price, terms.duration, terms.termsDigest,
          { value: terms.token === NATIVE ? terms.price : 0n }));
      };
      actions.append(buy);
    }
  }
  if (account) {
    const token = new Contract(config.addresses.CommonsToken, config.abis.CommonsToken, reader);
    $("votes").textContent = formatEther(await token.getVotes(account));
    $("delegatee").textContent = await token.delegates(account);
  }
  const proposals = await (await fetch("/api/proposals")).json();
  const pbody = $("proposals").tBodies[0];
  pbody.replaceChildren();
  for (const p of proposals) {
    const row = pbody.insertRow();
    row.dataset.id = p.id;
    cell(row, p.description);
    cell(row, p.state, "state");
    cell(row, formatEther(p.for), "for");
    cell(row, formatEther(p.against));
    cell(row, formatEther(p.abstain));
    const actions = row.insertCell();
    if (p.state === "Active") {
      for (const [label, support] of Object.entries(SUPPORT)) {
        const b = document.createElement("button");
        b.textContent = label;
        b.className = `vote-${label.toLowerCase()}`;
        b.onclick = () => send(`Vote ${label}`, () => contracts.CommonsGovernor.castVote(p.id, support));
        actions.append(b);
        const bySig = document.createElement("button");
        bySig.textContent = `${label} (sign)`;
        bySig.className = `sign-${label.toLowerCase()}`;
        bySig.onclick = () => voteBySignature(p.id, support, label);
        actions.append(bySig);
      }
    }
  }
  document.body.dataset.ready = "true";
}

async function relayClaim(datasetId, tokens) {
  status("pending", "Claim (gasless): the relayer sends it…");
  try {
    const reply = await postJson("/api/relay/claim", { account, datasetIds: [String(datasetId)], tokens });
    if (reply.error) throw new Error(reply.error);
    status("confirmed", `Claim (gasless): confirmed, relayed in ${reply.tx} (you paid no gas)`);
    await refresh();
  } catch (err) {
    status("failed", `Claim (gasless) failed: ${explain(err)}`);
  }
}

// A vote by EIP-712 ballot: the wallet signs readable fields, the local relayer pays the gas.
async function voteBySignature(proposalId, support, label) {
  status("pending", `Vote ${label}: sign the ballot in your wallet…`);
  try {
    const governor = contracts.CommonsGovernor;
    const nonce = await governor.nonces(account);
    const domain = { name: "OpenCommons Governor", version: "1", chainId: config.chainId, verifyingContract: governor.target };
    const types = { Ballot: [{ name: "proposalId", type: "uint256" }, { name: "support", type: "uint8" },
                             { name: "voter", type: "address" }, { name: "nonce", type: "uint256" }] };
    const signature = await signer.signTypedData(domain, types, { proposalId, support, voter: account, nonce });
    const reply = await postJson("/api/relay/vote", { proposalId: String(proposalId), support, voter: account, signature });
    if (reply.error) throw new Error(reply.error);
    status("confirmed", `Vote ${label}: confirmed, relayed in ${reply.tx} (you paid no gas)`);
    await refresh();
  } catch (err) {
    status("failed", `Vote ${label} failed: ${explain(err)}`);
  }
}

async function main() {
  config = await (await fetch("/api/config")).json();
  errors = new Interface(config.errors);
  $("connect").onclick = () => connect().catch((err) => status("failed", explain(err)));
  $("register-gasless").onclick = () => register(true);
  $("register-direct").onclick = () => register(false);
  $("update-profile").onclick = () => register("update");
  $("delegate").onclick = () => send("Delegate", () => contracts.CommonsToken.delegate($("delegate-to").value.trim()));
  await refresh();
}

main().catch((err) => status("failed", explain(err)));
