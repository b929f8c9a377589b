// The wallet page: the connected contributor's profile, every dataset with what the account can
// claim, license or collect, and governance (delegate, vote directly or by signed ballot).
import { $, NATIVE, amountText, app, cell, dateText, durationText, explain, getJson, grouped, loadChain, postJson, readContract, send, status, withAccessList } from "./shared.js";
import { formatEther } from "./units.js";
import { buyLicence } from "./actions.js";
import { t, tn } from "./i18n.js";

// "no purposes document": the dataset's own licence and terms
const ZERO_HASH = "0x" + "00".repeat(32);

const SUPPORT = { For: 1, Against: 0, Abstain: 2 };
const ERC20_BALANCE = ["function balanceOf(address) view returns (uint256)"];
const PERPETUAL = (1n << 64n) - 1n;  // LicenseManager's expiry of a licence that never ends
const WALLET_PAGE = 20;
let walletOffset = 0;

// "41 datasets, 1-20 shown" with Newer / Older buttons when there is more than a page.
function pager(page) {
  const shown = page.items.length;
  $("datasets-total").textContent = tn("count.datasets", page.total) +
    (page.total > shown ? t("wallet.shownNewest", { from: page.offset + 1, to: page.offset + shown }) : "");
  $("datasets-newer").hidden = page.offset === 0;
  $("datasets-older").hidden = page.offset + shown >= page.total;
}

export function setupWallet() {
  $("datasets-newer").onclick = () => { walletOffset = Math.max(0, walletOffset - WALLET_PAGE); app.refresh(); };
  $("datasets-older").onclick = () => { walletOffset += WALLET_PAGE; app.refresh(); };
  $("register-gasless").onclick = () => register(true);
  $("register-direct").onclick = () => register(false);
  $("update-profile").onclick = () => register("update");
  $("delegate").onclick = () => send(t("gov.delegate"), () => app.contracts.CommonsToken.delegate($("delegate-to").value.trim()));
}

async function register(gasless) {
  const name = $("profile-name").value.trim();
  const community = $("profile-community").value.trim();
  if (!name || !community) return status("failed", t("wallet.giveNameCommunity"));
  const profile = await postJson("/api/ipfs/add", { name, commons: community, account: app.account });
  const communityId = app.ethers.keccak256(app.ethers.toUtf8Bytes(community));
  const registry = app.contracts.ContributorRegistry;
  if (gasless === "update") return send(t("wallet.updateProfile"), () => registry.updateProfile(profile.digest, profile.codec, communityId));
  if (!gasless) return send(t("wallet.register"), () => registry.register(profile.digest, profile.codec, communityId));
  status("pending", t("wallet.signRequest"));
  try {
    const nonce = await registry.nonces(app.account);
    const deadline = Math.floor(Date.now() / 1000) + 3600;
    const domain = { name: "OpenCommons ContributorRegistry", version: "1", chainId: app.config.chainId,
                     verifyingContract: registry.target };
    const types = { Register: [
      { name: "account", type: "address" }, { name: "profileDigest", type: "bytes32" },
      { name: "profileCodec", type: "uint32" }, { name: "community", type: "bytes32" },
      { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }] };
    const value = { account: app.account, profileDigest: profile.digest, profileCodec: profile.codec, community: communityId,
                    nonce, deadline };
    const signature = await app.signer.signTypedData(domain, types, value);
    status("pending", t("wallet.relaying"));
    const reply = await postJson("/api/relay/register", { ...value, nonce: nonce.toString(), signature });
    if (reply.error) throw new Error(reply.error);
    status("confirmed", t("relay.confirmed", { label: t("wallet.register"), tx: reply.tx }));
    await app.refresh();
  } catch (err) {
    status("failed", t("tx.failed", { label: t("wallet.register"), error: explain(err) }));
  }
}

// A registered contributor's name and commons, from the profile their registry record points at,
// so updating it starts from what is there.
async function fillProfile() {
  const c = await (await fetch(`/api/explorer/contributors/${app.account}`)).json();
  if (!c.profile) return;
  const profile = await (await fetch(`/ipfs/${c.profile}`)).json();
  if (typeof profile.name === "string" && !$("profile-name").value) $("profile-name").value = profile.name;
  if (typeof profile.commons === "string" && !$("profile-community").value) $("profile-community").value = profile.commons;
}

export async function renderWallet() {
  // the server's answers are asked for first: the chain reads below overlap them
  const listed = getJson(`/api/datasets?offset=${walletOffset}&limit=${WALLET_PAGE}`);
  const proposalsListed = getJson("/api/proposals");
  // a visitor's page is drawn from the server's answers alone (the rows carry their licence offer):
  // ethers and the ABIs load for a connected wallet, whose share, claims and licences are read
  if (app.account) await loadChain();
  if (app.account) {
    const registered = await readContract("ContributorRegistry").isRegistered(app.account);
    $("profile-state").textContent = registered ? t("wallet.registered", { account: app.account }) : t("wallet.notRegistered");
    $("profile-state").dataset.registered = String(registered);
    $("update-profile").hidden = !registered;
    $("register-gasless").hidden = registered;
    if (registered && !$("profile-name").value) fillProfile().catch(() => {});  // no index or profile here: left empty
  }
  const page = await listed;
  const datasets = page.items;
  pager(page);
  const body = $("datasets").tBodies[0];
  body.replaceChildren();
  // every row at once: their chain reads go out together (ethers batches them into few requests)
  await Promise.all(datasets.map(async (d) => {
    const row = body.insertRow();
    row.dataset.id = d.id;
    cell(row, d.name);
    cell(row, d.license);
    cell(row, d.commonsCode);
    cell(row, t(`status.${d.status}`));
    const content = cell(row, "", "cid");
    const link = document.createElement("a");
    link.href = app.config.gateway + d.content;
    link.textContent = d.content;
    content.append(link);
    cell(row, d.manifest, "cid");
    cell(row, [d.parents.length ? tn("wallet.parents", d.parents.length) : "", d.previousVersion ? t("wallet.hasPrevious") : "",
               d.nextVersion ? t("wallet.hasNewer") : ""].filter(Boolean).join(", ") || "-");
    cell(row, String(d.attestations));
    const mine = d.contributors.find((c) => app.account && c.account.toLowerCase() === app.account.toLowerCase());
    cell(row, mine ? `${mine.shareBps / 100}%` : "-");
    const terms = d.licenceOffer;
    // a connected account's reads of the row in one round (ethers batches them), the receiver's
    // balances in a second
    const reads = app.account ? accountReads(d.id, Boolean(mine)) : [[], 0n, false, null, 0n, true];
    const [amounts, expiry, valid, receiver, rewardOwed, consented] = await Promise.all(reads);
    const owed = app.config.tokens.map((token, i) => [token, amounts[i] ?? 0n]).filter(([t, a]) => a > 0n || t === NATIVE);
    cell(row, (await Promise.all(owed.map(([t, a]) => amountText(t, a)))).join(", "), "claimable");
    // the licence on offer and the connected account's own: price, duration, validity and expiry
    let licenceText = terms.active
      ? `${await amountText(terms.token, terms.price)}, ${durationText(terms.duration)}`
      : t("licence.notOffered");
    if (app.account) {
      licenceText += expiry === 0n ? t("licence.yoursNone") : expiry === PERPETUAL ? t("licence.yoursPerpetual")
        : t(valid ? "licence.yoursValid" : "licence.yoursExpired", { date: dateText(expiry) });
    }
    cell(row, licenceText, "licence");
    const actions = row.insertCell();
    if (!consented) {
      // a contributor agrees to being named (and, where the commons requires it, to be paid)
      const consent = document.createElement("button");
      consent.textContent = t("consent.give");
      consent.className = "consent";
      consent.onclick = () => send(t("consent.give"), () => app.contracts.DatasetRights.consent(d.id, ZERO_HASH));
      actions.append(consent);
    }
    const tokens = owed.filter(([, a]) => a > 0n).map(([t]) => t);
    if (tokens.length) {
      const claim = document.createElement("button");
      claim.textContent = t("royalty.claim");
      claim.className = "claim";
      claim.onclick = () => send(t("royalty.claim"), () => app.contracts.RoyaltyVault.claim([d.id], tokens, withAccessList("vault")));
      actions.append(claim);
      // no ETH for gas: the local relayer calls claimFor, which can only pay this account
      const gasless = document.createElement("button");
      gasless.textContent = t("royalty.claimGasless");
      gasless.className = "claim-gasless";
      gasless.onclick = () => relayClaim(d.id, tokens);
      actions.append(gasless);
    }
    // royalties a marketplace sent (ERC-2981) to the dataset's receiver, in ETH or any listed token:
    // read for a connected wallet only (collecting them is a transaction)
    const held = receiver === null ? [] : await Promise.all(app.config.tokens.map((token) => (token === NATIVE
      ? app.reader.getBalance(receiver) : new app.ethers.Contract(token, ERC20_BALANCE, app.reader).balanceOf(receiver))));
    const waiting = app.config.tokens.filter((_, i) => held[i] > 0n);
    if (waiting.length && d.status !== "Rejected") {
      const collect = document.createElement("button");
      collect.textContent = t("royalty.collect");
      collect.className = "collect";
      collect.onclick = async () => {
        for (const token of waiting) {
          if (!(await send(t("royalty.collectToken", { token: token === NATIVE ? "ETH" : token }), () => app.contracts.RoyaltyVault.collect(d.id, token)))) break;
        }
      };
      actions.append(collect);
    }
    if (rewardOwed > 0n) {
      const claimReward = document.createElement("button");
      claimReward.textContent = t("reward.claim");
      claimReward.className = "claim-reward";
      claimReward.onclick = () => send(t("reward.claim"), () => app.contracts.ContributionRewards.claimFor(app.account, [d.id]));
      actions.append(claimReward);
    }
    if (d.status === "Accepted") {
      const buy = document.createElement("button");
      buy.textContent = t("licence.buy");
      buy.className = "buy";
      buy.onclick = () => buyLicence(d.id);
      actions.append(buy);
    }
  }));
  if (app.account) {
    const token = readContract("CommonsToken");
    const [votes, delegatee] = await Promise.all([token.getVotes(app.account), token.delegates(app.account)]);
    $("votes").textContent = grouped(formatEther(votes));
    // an account that never delegated is its own delegate (the token answers it; nothing is stored)
    $("delegatee").textContent = delegatee.toLowerCase() === app.account.toLowerCase() ? t("gov.yourself") : delegatee;
  }
  const proposals = await proposalsListed;
  const pbody = $("proposals").tBodies[0];
  pbody.replaceChildren();
  for (const p of proposals) {
    const row = pbody.insertRow();
    row.dataset.id = p.id;
    cell(row, p.description);
    cell(row, t(`proposal.${p.state}`), "state");
    // the contributors' house counts votes, not tokens (a proposal made there only, issue 37)
    const tally = (v) => p.house === "contributors" ? grouped(String(v)) : grouped(formatEther(v));
    cell(row, tally(p.for), "for");
    cell(row, tally(p.against));
    cell(row, tally(p.abstain));
    const actions = row.insertCell();
    const houses = (p.houses || "token").split("+");
    if (p.state === "Active" && houses.includes("contributors") && app.config.addresses.ContributorsGovernor) {
      for (const [label, support] of Object.entries(SUPPORT)) {
        const b = document.createElement("button");
        b.textContent = t("vote.inContributorsHouse", { vote: t(`vote.${label}`) });
        b.className = `house-vote-${label.toLowerCase()}`;
        b.onclick = () => voteInContributorsHouse(p.id, support, label);
        actions.append(b);
      }
    }
    if (p.state === "Active" && houses.includes("token")) {
      for (const [label, support] of Object.entries(SUPPORT)) {
        const b = document.createElement("button");
        b.textContent = t(`vote.${label}`);
        b.className = `vote-${label.toLowerCase()}`;
        b.onclick = () => send(t(`vote.cast.${label}`), () => app.contracts.CommonsGovernor.castVote(p.id, support));
        actions.append(b);
        const bySig = document.createElement("button");
        bySig.textContent = t("vote.bySignature", { vote: t(`vote.${label}`) });
        bySig.className = `sign-${label.toLowerCase()}`;
        bySig.onclick = () => voteBySignature(p.id, support, label);
        actions.append(bySig);
      }
    }
  }
  document.body.dataset.ready = "true";
}

// What the connected account has in a dataset's row: [claimable per listed token, its licence's
// expiry, whether it is valid, the dataset's ERC-2981 receiver, the reward owed, consent given],
// each a promise (the account's share, claims, reward and consent only when it is a contributor).
function accountReads(id, contributor) {
  const vault = readContract("RoyaltyVault");
  const licences = readContract("LicenseManager");
  const rights = app.config.addresses.DatasetRights ? readContract("DatasetRights") : null;
  return [
    Promise.all(app.config.tokens.map((token) => (contributor ? vault.claimable(id, token, app.account) : 0n))),
    licences.licenseExpiry(app.account, id),
    licences.hasValidLicense(app.account, id),
    vault.royaltyReceiverOf(id),
    contributor ? readContract("ContributionRewards").claimableOf(id, app.account) : 0n,
    contributor && rights ? rights.hasConsented(id, app.account) : true];
}

async function relayClaim(datasetId, tokens) {
  status("pending", t("royalty.relaying"));
  try {
    const reply = await postJson("/api/relay/claim", { account: app.account, datasetIds: [String(datasetId)], tokens });
    if (reply.error) throw new Error(reply.error);
    status("confirmed", t("relay.confirmed", { label: t("royalty.claimGasless"), tx: reply.tx }));
    await app.refresh();
  } catch (err) {
    status("failed", t("tx.failed", { label: t("royalty.claimGasless"), error: explain(err) }));
  }
}

// A vote in the contributors' house: refused, with the reason, before anything is sent when the
// account had no vote there at the proposal's snapshot (not a verified contributor then).
async function voteInContributorsHouse(proposalId, support, label) {
  await loadChain();
  const governor = readContract("ContributorsGovernor");
  const snapshot = await governor.proposalSnapshot(proposalId);
  if (await governor.getVotes(app.account, snapshot) === 0n) {
    status("failed", t("vote.noContributorVote"));
    return;
  }
  await send(t(`vote.cast.${label}`), () => app.contracts.ContributorsGovernor.castVote(proposalId, support));
}

// A vote by EIP-712 ballot: the wallet signs readable fields, the local relayer pays the gas.
async function voteBySignature(proposalId, support, label) {
  status("pending", t("vote.signBallot", { label: t(`vote.cast.${label}`) }));
  try {
    const governor = app.contracts.CommonsGovernor;
    const nonce = await governor.nonces(app.account);
    // the domain the governor says it verifies under (EIP-5267): one name for every governor of the suite
    const [, name, version, chainId, verifyingContract] = await governor.eip712Domain();
    const domain = { name, version, chainId, verifyingContract };
    const types = { Ballot: [{ name: "proposalId", type: "uint256" }, { name: "support", type: "uint8" },
                             { name: "voter", type: "address" }, { name: "nonce", type: "uint256" }] };
    const signature = await app.signer.signTypedData(domain, types, { proposalId, support, voter: app.account, nonce });
    const reply = await postJson("/api/relay/vote", { proposalId: String(proposalId), support, voter: app.account, signature });
    if (reply.error) throw new Error(reply.error);
    status("confirmed", t("relay.confirmed", { label: t(`vote.cast.${label}`), tx: reply.tx }));
    await app.refresh();
  } catch (err) {
    status("failed", t("tx.failed", { label: t(`vote.cast.${label}`), error: explain(err) }));
  }
}
